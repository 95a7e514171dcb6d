#!/usr/bin/env bash
# Vim with the real ALE (Debian's vim-ale, or ALE_DIR) in its LSP mode:
# editors/vim/ale_linters/c/tasklint_lsp.vim starts `tasklint lsp` for a C
# buffer and ALE's location list holds the fixture's diagnostics at the
# EXPECT lines, with line, column, type and the rule id as code.
# usage: test_vim_ale_lsp.sh TASKLINT_BINARY SOURCE_DIR
set -u
TL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=$(cd "$2" && pwd)
ALE=${ALE_DIR:-/usr/share/vim-ale}
if ! command -v vim >/dev/null 2>&1; then
    echo "SKIP: vim is not installed (scripts/setup.sh installs vim-nox with TASKLINT_TEST_DEPS=1)"
    exit 77
fi
if ! [ -f "$ALE/plugin/ale.vim" ]; then
    echo "SKIP: ALE is not installed (scripts/setup.sh installs vim-ale with TASKLINT_TEST_DEPS=1; or set ALE_DIR)"
    exit 77
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
export NO_COLOR=1 HOME=$T
unset TASKLINT_DB

FIX=fixtures/orphaned-spawn/pthread_error_path.c
expected=$(grep -n 'EXPECT: orphaned-spawn' "$SRC/$FIX" | cut -d: -f1 | tr '\n' ' ')
[ "$expected" = "29 64 93 " ] || fail "fixture changed: EXPECT lines are $expected"
mkdir -p "$T/proj/.git"
cp "$SRC/$FIX" "$T/proj/fixture.c"

cat >"$T/t.vim" <<'V'
set nocompatible
filetype on
let &rtp = $ALE . ',' . &rtp . ',' . $SRC . '/editors/vim'
let g:ale_linters = {'c': ['tasklint_lsp']}
let g:ale_c_tasklint_lsp_executable = $TL
let g:ale_c_tasklint_lsp_options = '--no-db'
let g:ale_lint_delay = 0
runtime plugin/ale.vim
execute 'edit ' . $FIX
let s:out = ['ft=' . &filetype]
let s:n = 0
while s:n < 600 && len(get(get(g:ale_buffer_info, bufnr(''), {}), 'loclist', [])) < 3
  sleep 100m
  let s:n += 1
endwhile
for s:i in get(get(g:ale_buffer_info, bufnr(''), {}), 'loclist', [])
  call add(s:out, printf('diag|%d|%d|%s|%s|%s', s:i.lnum, s:i.col, s:i.type, get(s:i, 'code', ''), s:i.text))
endfor
call add(s:out, 'root=' . ale_linters#c#tasklint_lsp#ProjectRoot(bufnr('')))
call writefile(s:out, $OUT)
qall!
V
cd "$T" || exit 1
ALE=$ALE SRC=$SRC TL=$TL FIX=$T/proj/fixture.c OUT=$T/res timeout 120 vim -N -u NONE -i NONE -es -S "$T/t.vim" </dev/null >"$T/log" 2>&1
if ! [ -s "$T/res" ]; then
    fail "vim: no result"; cat "$T/log"
else
    w=$(awk -F'|' '$1=="diag" && $4=="W" && $5=="orphaned-spawn" {printf "%s ", $2}' "$T/res")
    [ "$w" = "$expected" ] && echo "ok   vim + ALE (LSP mode): diagnostics at the EXPECT lines ($w), rule id as code" \
        || { fail "ALE: warnings at '$w'"; cat "$T/res" "$T/log"; }
    grep -qx "diag|29|9|W|orphaned-spawn|thread 'reader' spawned by pthread_create() leaks when returning at line 33 (not joined or detached on this path)" "$T/res" \
        || { fail "ALE: line 29, column 9"; cat "$T/res"; }
    grep -qx "root=$T/proj" "$T/res" || fail "project root: $(grep ^root= "$T/res")"
fi
[ -d "$T/proj/.tasklint" ] && fail "a findings store was written"
[ $fails = 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all vim ALE lsp tests passed"
