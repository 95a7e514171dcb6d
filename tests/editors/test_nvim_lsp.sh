#!/usr/bin/env bash
# Neovim's built-in LSP client, headless, with editors/nvim's tasklint.lsp
# module set up as the README says: a fixture is opened (FileType c starts `tasklint lsp`) and the
# client's vim.diagnostic entries are those of the fixture, with the right
# ranges, codes, source and severity; an edit that is saved (:write) brings
# the diagnostics of the new text; hover shows the rule's explanation.
# usage: test_nvim_lsp.sh TASKLINT_BINARY SOURCE_DIR
set -u
TL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=$(cd "$2" && pwd)
if ! command -v nvim >/dev/null 2>&1; then
    echo "SKIP: nvim is not installed (scripts/setup.sh installs neovim with TASKLINT_TEST_DEPS=1)"
    exit 77
fi
T=$(mktemp -d)
[ -n "${KEEP:-}" ] && echo "T=$T"
[ -n "${KEEP:-}" ] || trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
export NO_COLOR=1 HOME=$T XDG_CONFIG_HOME=$T/config XDG_DATA_HOME=$T/data XDG_STATE_HOME=$T/state
unset TASKLINT_DB

FIX=fixtures/orphaned-spawn/pthread_error_path.c
expected=$(grep -n 'EXPECT: orphaned-spawn' "$SRC/$FIX" | cut -d: -f1 | tr '\n' ' ')
[ "$expected" = "29 64 93 " ] || fail "fixture changed: EXPECT lines are $expected"
# the README's config runs `tasklint` from PATH
mkdir -p "$T/bin" "$T/proj/.git"
ln -s "$TL" "$T/bin/tasklint"
export PATH="$T/bin:$PATH"
cp "$SRC/$FIX" "$T/proj/fixture.c"

cat >"$T/test.lua" <<'L'
local out = {}
local function emit(s) table.insert(out, s) end
local function dump(tag)
  local ds = vim.diagnostic.get(0)
  table.sort(ds, function(a, b) return a.lnum < b.lnum or (a.lnum == b.lnum and a.col < b.col) end)
  for _, d in ipairs(ds) do
    emit(string.format('%s|%d|%d|%d|%d|%s|%s|%d|%s', tag, d.lnum, d.col, d.end_lnum, d.end_col,
      tostring(d.code), tostring(d.source), d.severity, d.message))
  end
end
local ok, err = pcall(function()
  vim.opt.rtp:append(os.getenv('SRC') .. '/editors/nvim')
  require('tasklint.lsp').setup()   -- the README's config, verbatim
  vim.cmd('edit ' .. os.getenv('FIX'))
  emit('ft=' .. vim.bo.filetype)
  if not vim.wait(60000, function() return #vim.diagnostic.get(0) >= 3 end, 50) then
    emit('open|TIMEOUT')
  end
  dump('open')
  local clients = vim.lsp.buf_get_clients(0)
  local n = 0
  for _, c in pairs(clients) do n = n + 1; emit('client=' .. c.name) end
  emit('clients=' .. n)
  -- hover on line 29, through the client
  local res = vim.lsp.buf_request_sync(0, 'textDocument/hover', {
    textDocument = { uri = vim.uri_from_bufnr(0) }, position = { line = 28, character = 10 } }, 20000)
  for _, r in pairs(res or {}) do
    if r.result and r.result.contents then emit('hover=' .. r.result.contents.value:gsub('\n.*', '')) end
  end
  -- an edit, saved: the new spawn is reported
  vim.api.nvim_buf_set_lines(0, -1, -1, false, { 'int leak_more(struct ingest *in)', '{',
    '    pthread_t extra;', '    return pthread_create(&extra, NULL, reader_main, in);', '}' })
  emit('newline=' .. (vim.api.nvim_buf_line_count(0) - 1))
  vim.cmd('write')
  if not vim.wait(60000, function() return #vim.diagnostic.get(0) >= 4 end, 50) then
    emit('save|TIMEOUT')
  end
  dump('save')
end)
if not ok then emit('ERROR ' .. tostring(err)) end
local f = io.open(os.getenv('OUT'), 'w')
f:write(table.concat(out, '\n') .. '\n')
f:close()
for _, c in pairs(vim.lsp.get_active_clients()) do c.stop() end
vim.wait(2000, function() return #vim.lsp.get_active_clients() == 0 end, 50)
vim.cmd('qall!')
L

cd "$T" || exit 1
TL=$TL SRC=$SRC FIX=$T/proj/fixture.c OUT=$T/res timeout 180 nvim --headless -u NONE -i NONE \
    --cmd 'filetype on' -c "luafile $T/test.lua" >"$T/log" 2>&1 </dev/null
if ! [ -s "$T/res" ]; then
    fail "nvim: no result"; cat "$T/log"
else
    grep -q '^ERROR\|TIMEOUT' "$T/res" && { fail "nvim: $(grep 'ERROR\|TIMEOUT' "$T/res")"; cat "$T/res" "$T/log"; }
    grep -qx 'ft=c' "$T/res" || fail "the fixture is not filetype c"
    grep -qx 'clients=1' "$T/res" && grep -qx 'client=tasklint' "$T/res" || fail "not one tasklint client attached"
    # line 29 (0-based 28), column 9 (0-based 8) to the end of pthread_create
    grep -qx "open|28|8|28|22|orphaned-spawn|tasklint|2|thread 'reader' spawned by pthread_create() leaks when returning at line 33 (not joined or detached on this path)" "$T/res" \
        || { fail "open: the diagnostic of line 29 (range, code, source, severity, message)"; cat "$T/res"; }
    w=$(awk -F'|' '$1=="open" && $6=="orphaned-spawn" {printf "%d ", $2 + 1}' "$T/res")
    [ "$w" = "$expected" ] && echo "ok   nvim: diagnostics on open at the EXPECT lines ($w), with range, code, source, severity" \
        || { fail "open: orphaned-spawn at '$w', expected '$expected'"; cat "$T/res"; }
    grep -qx 'hover=# orphaned-spawn (OrphanedSpawn)' "$T/res" && echo "ok   nvim: hover shows the rule's explanation" \
        || { fail "hover"; cat "$T/res"; }
    nl=$(sed -n 's/^newline=//p' "$T/res")
    w=$(awk -F'|' '$1=="save" && $6=="orphaned-spawn" {printf "%d ", $2 + 1}' "$T/res")
    [ "$w" = "$expected$nl " ] && echo "ok   nvim: after :write, the new spawn at line $nl too" \
        || { fail "save: orphaned-spawn at '$w', expected '$expected$nl '"; cat "$T/res"; }
fi
[ -d "$T/proj/.tasklint" ] && fail "a findings store was written"
[ $fails = 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all nvim lsp tests passed"
