#!/usr/bin/env bash
# Neovim: the nvim-lint linter definition (editors/nvim/lua/lint/linters/
# tasklint.lua) is loaded from the runtimepath by a minimal stand-in for
# nvim-lint's require('lint') (nvim-lint itself is not installed); it runs
# the real tasklint on a fixture the way nvim-lint does (args, then the
# buffer's file name) and the parser's entries are set with vim.diagnostic.
# Also: the quickfix list with the Vim compiler plugin's errorformat (:cexpr)
# and with the module's qf_items().
# usage: test_nvim.sh TASKLINT_BINARY SOURCE_DIR
set -u
TL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=$(cd "$2" && pwd)
if ! command -v nvim >/dev/null 2>&1; then
    echo "SKIP: nvim is not installed (scripts/setup.sh installs neovim with TASKLINT_TEST_DEPS=1)"
    exit 77
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
export NO_COLOR=1 HOME=$T XDG_CONFIG_HOME=$T/config XDG_DATA_HOME=$T/data XDG_STATE_HOME=$T/state

FIX=fixtures/orphaned-spawn/pthread_error_path.c
# never write a findings store into the source tree
NODB=
"$TL" --help 2>&1 | grep -q -- '--no-db' && NODB=--no-db
expected=$(grep -n 'EXPECT: orphaned-spawn' "$SRC/$FIX" | cut -d: -f1 | tr '\n' ' ')
[ "$expected" = "29 64 93 " ] || fail "fixture changed: EXPECT lines are $expected"

# a stand-in for nvim-lint: linters are looked up as lint.linters.<name>
mkdir -p "$T/stub/lua"
cat >"$T/stub/lua/lint.lua" <<'L'
local M = {}
M.linters = setmetatable({}, {
  __index = function(tbl, name)
    local linter = require('lint.linters.' .. name)
    rawset(tbl, name, linter)
    return linter
  end,
})
-- what nvim-lint's lint() does, synchronously: args (functions evaluated),
-- the buffer's file name, run in the current directory, parse, publish
function M.lint_sync(name)
  local linter = M.linters[name]
  local bufnr = vim.api.nvim_get_current_buf()
  local cmd = { linter.cmd }
  for _, a in ipairs(linter.args or {}) do
    table.insert(cmd, type(a) == 'function' and a() or a)
  end
  if not linter.stdin and linter.append_fname ~= false then
    table.insert(cmd, vim.api.nvim_buf_get_name(bufnr))
  end
  local output = vim.fn.system(cmd)
  local rc = vim.v.shell_error
  assert(rc == 0 or linter.ignore_exitcode, 'exit ' .. rc)
  local diagnostics = linter.parser(output, bufnr, vim.fn.getcwd())
  local ns = vim.api.nvim_create_namespace(name)
  vim.diagnostic.set(ns, bufnr, diagnostics)
  return cmd, output
end
return M
L

cat >"$T/run.lua" <<'L'
local out = {}
local function emit(s) table.insert(out, s) end
local ok, err = pcall(function()
  local lint = require('lint')
  local linter = lint.linters.tasklint
  linter.cmd = vim.env.TL   -- as a user points it at their binary
  emit('stream=' .. linter.stream .. ' stdin=' .. tostring(linter.stdin) .. ' ignore_exitcode=' .. tostring(linter.ignore_exitcode))
  local cmd = lint.lint_sync('tasklint')
  emit('cmd=' .. table.concat(cmd, ' '))
  for _, d in ipairs(vim.diagnostic.get(0)) do
    emit(string.format('%d|%d|%d|%s|%s|%s|%d', d.lnum, d.col, d.severity, d.source or '-',
      d.code or '-', d.message, d.user_data and d.user_data.notes and #d.user_data.notes or -1))
  end
  -- tags after the rule id, other files, relative paths
  local more = linter.parser(table.concat({
    vim.api.nvim_buf_get_name(0) .. ':5:3: warning: something leaks [orphaned-spawn] [new]',
    'x.h:2:1: warning: in a header [missing-timeout]',
    vim.fn.fnamemodify(vim.api.nvim_buf_get_name(0), ':.') .. ':7:2: error: a clang error [clang-diagnostic]',
    '    source line', '    ^', '1 warning in 1 file (1 file analysed).',
  }, '\n'), 0, vim.fn.getcwd())
  for _, d in ipairs(more) do
    emit(string.format('more|%d|%d|%d|%s|%s', d.lnum, d.col, d.severity, d.code or '-', d.message))
  end
end)
if not ok then emit('ERROR ' .. tostring(err)) end
vim.fn.writefile(out, vim.env.OUT)
L

cd "$SRC" || exit 1
TL=$TL OUT=$T/diag nvim --headless -u NONE -i NONE \
    --cmd "set rtp^=$SRC/editors/nvim,$T/stub" \
    -c "edit $FIX" -c "luafile $T/run.lua" -c 'qall!' </dev/null >/dev/null 2>&1
f0=$fails
if ! [ -s "$T/diag" ]; then
    fail "nvim: no output"
else
    grep -q '^ERROR' "$T/diag" && fail "nvim: $(grep ^ERROR "$T/diag")"
    grep -qx 'stream=stdout stdin=false ignore_exitcode=true' "$T/diag" || fail "linter fields: $(head -1 "$T/diag")"
    grep -q "^cmd=$TL --color=never .*$SRC/$FIX$" "$T/diag" || fail "command: $(grep ^cmd= "$T/diag")"
    [ -z "$NODB" ] || grep -q "^cmd=$TL --color=never --no-db " "$T/diag" || fail "command without --no-db: $(grep ^cmd= "$T/diag")"
    # vim.diagnostic lnum/col are 0-based: line 29 col 9 -> 28|8
    w=$(awk -F'|' '$1 ~ /^[0-9]+$/ && $3==2 {printf "%s ", $1 + 1}' "$T/diag")
    [ "$w" = "$expected" ] || { fail "warnings at lines '$w', expected '$expected'"; cat "$T/diag"; }
    grep -qx "28|8|2|tasklint|orphaned-spawn|thread 'reader' spawned by pthread_create() leaks when returning at line 33 (not joined or detached on this path)|1" "$T/diag" \
        || { fail "diagnostic for line 29"; cat "$T/diag"; }
    grep -q "^63|12|2|tasklint|orphaned-spawn|thread 't' .*|2$" "$T/diag" || { fail "line 64 with its 2 notes"; cat "$T/diag"; }
    grep -q "^92|12|2|tasklint|orphaned-spawn|threads stored in 'readers' .*|0$" "$T/diag" || { fail "line 93"; cat "$T/diag"; }
    # notes are hints carrying the finding's rule
    h=$(awk -F'|' '$3==4 && $5=="orphaned-spawn" && $6 ~ /^note: / {printf "%s ", $1 + 1}' "$T/diag")
    [ "$h" = "33 64 71 " ] || { fail "hints at '$h'"; cat "$T/diag"; }
    grep -qx 'more|4|2|2|orphaned-spawn|something leaks \[new\]' "$T/diag" || { fail "[new] tag"; cat "$T/diag"; }
    grep -qx 'more|6|1|1|clang-diagnostic|a clang error' "$T/diag" || { fail "relative path / error"; cat "$T/diag"; }
    grep -q 'in a header' "$T/diag" && fail "a finding of another file was put on the buffer"
    [ $fails = $f0 ] && echo "ok   nvim-lint linter: diagnostics at the fixture's lines (0-based), severity, code = rule"
fi

# with a compile_commands.json that lists the file: -p and its flags
mkdir -p "$T/p2/src" "$T/p2/build" "$T/p2/include"
printf '#ifdef USE_FOREVER\n#define WAIT_MS (-1)\n#else\n#define WAIT_MS 1000\n#endif\n' >"$T/p2/include/cfg.h"
printf '#include <poll.h>\n#include "cfg.h"\nint wait_peer(int fd) {\n    struct pollfd p = {.fd = fd, .events = POLLIN};\n    return poll(&p, 1, WAIT_MS);\n}\n' >"$T/p2/src/wait.c"
printf '[{"directory": "..", "file": "src/wait.c", "arguments": ["cc", "-Iinclude", "-DUSE_FOREVER", "-c", "src/wait.c"]}]\n' >"$T/p2/build/compile_commands.json"
cd "$T/p2" || exit 1
TL=$TL OUT=$T/diag2 nvim --headless -u NONE -i NONE \
    --cmd "set rtp^=$SRC/editors/nvim,$T/stub" \
    -c "edit src/wait.c" -c "luafile $T/run.lua" -c 'qall!' </dev/null >/dev/null 2>&1
grep -q "^cmd=.* -p$T/p2/build/compile_commands.json $T/p2/src/wait.c$" "$T/diag2" \
    && grep -q '^4|11|2|tasklint|missing-timeout|poll() ' "$T/diag2" \
    && echo "ok   nvim-lint linter: compile_commands.json (-p, flags from the database)" \
    || { fail "nvim with a database"; cat "$T/diag2"; }

# quickfix: the compiler plugin's errorformat with :cexpr, and qf_items()
cd "$SRC" || exit 1
"$TL" --color=never $NODB "$FIX" >"$T/out.txt" 2>/dev/null
cat >"$T/qf.lua" <<'L'
local out = {}
local function dump(tag)
  for _, e in ipairs(vim.fn.getqflist()) do
    table.insert(out, string.format('%s|%s|%d|%d|%s|%s', tag,
      e.bufnr > 0 and vim.fn.fnamemodify(vim.fn.bufname(e.bufnr), ':.') or '', e.lnum, e.col, e.type, e.text))
  end
end
-- :compiler! sets the global 'errorformat', which :cexpr uses
vim.cmd('compiler! tasklint')
vim.cmd('cexpr readfile($OUTTXT)')
dump('cexpr')
vim.fn.setqflist(require('lint.linters.tasklint').qf_items(table.concat(vim.fn.readfile(vim.env.OUTTXT), '\n')), 'r')
dump('items')
vim.fn.writefile(out, vim.env.OUT)
L
OUTTXT=$T/out.txt OUT=$T/qf nvim --headless -u NONE -i NONE \
    --cmd "set rtp^=$SRC/editors/vim,$SRC/editors/nvim" \
    -c "let g:tasklint_executable = '$TL'" -c "luafile $T/qf.lua" -c 'qall!' </dev/null >/dev/null 2>&1
for tag in cexpr items; do
    w=$(awk -F'|' -v t=$tag '$1==t && ($5=="w" || $5=="W") && $2=="'$FIX'" && $6 ~ /\[orphaned-spawn\]$/ {printf "%s ", $3}' "$T/qf")
    n=$(awk -F'|' -v t=$tag '$1==t && ($5=="n" || $5=="N") {printf "%s ", $3}' "$T/qf")
    if [ "$w" = "$expected" ] && [ "$n" = "33 64 71 " ] && [ "$(grep -c "^$tag|" "$T/qf")" = 6 ]; then
        echo "ok   quickfix in nvim ($tag): 3 warnings, 3 notes"
    else
        fail "quickfix $tag: warnings '$w' notes '$n'"; cat "$T/qf"
    fi
done

[ $fails = 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all nvim tests passed"
