#!/usr/bin/env bash
# Vim: the compiler plugin (editors/vim/compiler/tasklint.vim) runs the real
# tasklint through :make on fixtures and the quickfix list holds the expected
# entries; the ALE linter (editors/vim/ale_linters/c/tasklint.vim) is sourced
# against a stub of ALE's API and its callback turns real tasklint output
# into ALE items.
# usage: test_vim.sh TASKLINT_BINARY SOURCE_DIR
set -u
TL=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
SRC=$(cd "$2" && pwd)
if ! command -v vim >/dev/null 2>&1; then
    echo "SKIP: vim is not installed (scripts/setup.sh installs vim-nox with TASKLINT_TEST_DEPS=1)"
    exit 77
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
export NO_COLOR=1 HOME=$T

FIX=fixtures/orphaned-spawn/pthread_error_path.c
# never write a findings store into the source tree
NODB=
"$TL" --help 2>&1 | grep -q -- '--no-db' && NODB=--no-db
# the lines the fixture expects findings on
expected=$(grep -n 'EXPECT: orphaned-spawn' "$SRC/$FIX" | cut -d: -f1 | tr '\n' ' ')
[ "$expected" = "29 64 93 " ] || fail "fixture changed: EXPECT lines are $expected"

# Dump the quickfix list as one line per entry: file|lnum|col|type|valid|text
cat >"$T/dump.vim" <<'V'
function! DumpQf(out) abort
  let l:lines = []
  for l:e in getqflist()
    call add(l:lines, printf('%s|%d|%d|%s|%d|%s', l:e.bufnr ? bufname(l:e.bufnr) : '',
          \ l:e.lnum, l:e.col, l:e.type, l:e.valid, l:e.text))
  endfor
  call writefile(l:lines, a:out)
endfunction
V

# ---- compiler plugin: :make on a fixture -------------------------------------------
cd "$SRC" || exit 1
vim -Nu NONE -i NONE -es \
    -c "set rtp^=$SRC/editors/vim" \
    -c "let g:tasklint_executable = '$TL'" \
    -c "let g:tasklint_compdb = 'none'" \
    -c 'compiler tasklint' \
    -c "source $T/dump.vim" \
    -c "call writefile([&l:makeprg, &l:errorformat, b:current_compiler], '$T/settings')" \
    -c "silent make! $FIX" \
    -c "call DumpQf('$T/qf')" \
    -c 'qall!' </dev/null >/dev/null 2>&1
f0=$fails
if ! [ -s "$T/qf" ]; then
    fail "compiler: no quickfix entries"; cat "$T/settings" 2>/dev/null
else
    sed -n 1p "$T/settings" | grep -q -- "--color=never" || fail "makeprg: $(sed -n 1p "$T/settings")"
    [ -z "$NODB" ] || sed -n 1p "$T/settings" | grep -q -- "--no-db" || fail "makeprg without --no-db: $(sed -n 1p "$T/settings")"
    sed -n 3p "$T/settings" | grep -qx tasklint || fail "current_compiler not set"
    w=$(awk -F'|' '$4=="w" {printf "%s ", $2}' "$T/qf")
    [ "$w" = "$expected" ] || fail "compiler: warning lines '$w', expected '$expected'"
    n=$(awk -F'|' '$4=="w" && $1=="'$FIX'" && $5==1 && $6 ~ /\[orphaned-spawn\]$/' "$T/qf" | wc -l)
    [ "$n" = 3 ] || { fail "compiler: warnings with filename, valid, rule id: $n"; cat "$T/qf"; }
    grep -qx "$FIX|29|9|w|1|thread 'reader' spawned by pthread_create() leaks when returning at line 33 (not joined or detached on this path) \[orphaned-spawn\]" "$T/qf" \
        || { fail "compiler: entry for line 29"; cat "$T/qf"; }
    grep -q "^$FIX|93|13|w|1|" "$T/qf" || fail "compiler: column of line 93"
    # notes are entries of their own, of type n, right after their finding
    notes=$(awk -F'|' '$4=="n" {printf "%s ", $2}' "$T/qf")
    [ "$notes" = "33 64 71 " ] || { fail "compiler: note lines '$notes'"; cat "$T/qf"; }
    sed -n 2p "$T/qf" | grep -q "^$FIX|33|9|n|1|the thread is still owned when returning here$" \
        || fail "compiler: note after its finding: $(sed -n 2p "$T/qf")"
    # nothing else: no source lines, carets or summary
    [ "$(wc -l <"$T/qf")" = 6 ] || { fail "compiler: $(wc -l <"$T/qf") entries, expected 6"; cat "$T/qf"; }
    [ $fails = $f0 ] && echo "ok   compiler plugin: :make fills the quickfix list (3 warnings, 3 notes)"
fi

# clang errors are type e; tasklint's own errors are kept
mkdir -p "$T/src"
printf 'int f(void) { return undefined_thing; }\n' >"$T/src/bad.c"
cd "$T/src" || exit 1
vim -Nu NONE -i NONE -es \
    -c "set rtp^=$SRC/editors/vim" \
    -c "let g:tasklint_executable = '$TL'" \
    -c 'compiler tasklint' \
    -c "source $T/dump.vim" \
    -c 'silent make! bad.c' \
    -c "call DumpQf('$T/qf2')" \
    -c 'silent make! missing.c' \
    -c "call DumpQf('$T/qf3')" \
    -c 'qall!' </dev/null >/dev/null 2>&1
grep -q '^bad.c|1|22|e|1|use of undeclared identifier .*\[clang-diagnostic\]$' "$T/qf2" \
    && echo "ok   compiler plugin: clang errors are type e" \
    || { fail "compiler: clang error entry"; cat "$T/qf2"; }
grep -q '^|0|0|e|1|.*missing.c' "$T/qf3" \
    && echo "ok   compiler plugin: tasklint's own errors are listed" \
    || { fail "compiler: tasklint error entry"; cat "$T/qf3"; }

# build/compile_commands.json in the current directory -> -p build
mkdir -p "$T/proj/build" "$T/proj/src"
echo '[]' >"$T/proj/build/compile_commands.json"
cd "$T/proj" || exit 1
vim -Nu NONE -i NONE -es \
    -c "set rtp^=$SRC/editors/vim" \
    -c "let g:tasklint_executable = '$TL'" \
    -c 'compiler tasklint' \
    -c "call writefile([&l:makeprg], '$T/mp')" -c 'qall!' </dev/null >/dev/null 2>&1
grep -q -- '-p build$' "$T/mp" && echo "ok   compiler plugin: finds build/compile_commands.json" \
    || fail "compiler: makeprg with a database: $(cat "$T/mp")"

# ---- ALE: the linter definition against a stub of ALE ------------------------------
# just enough of ALE's API for a linter file, as autoload scripts (ALE itself
# is not installed)
mkdir -p "$T/alestub/autoload/ale"
cat >"$T/alestub/autoload/ale.vim" <<'V'
function! ale#Set(name, default) abort
  if !has_key(g:, 'ale_' . a:name)
    let g:ale_{a:name} = a:default
  endif
endfunction
function! ale#Var(buffer, name) abort
  return getbufvar(a:buffer, 'ale_' . a:name, g:ale_{a:name})
endfunction
function! ale#Escape(s) abort
  return shellescape(a:s)
endfunction
V
cat >"$T/alestub/autoload/ale/linter.vim" <<'V'
let g:defined = []
function! ale#linter#Define(filetype, linter) abort
  call add(g:defined, [a:filetype, a:linter])
endfunction
V
cat >"$T/ale_test.vim" <<'V'
function! Check() abort
  let l:out = []
  if len(g:defined) != 1
    call add(l:out, 'FAIL defined ' . string(g:defined))
    return l:out
  endif
  let [l:ft, l:linter] = g:defined[0]
  call add(l:out, 'filetype=' . l:ft . ' name=' . l:linter.name . ' lint_file=' . l:linter.lint_file
        \ . ' stream=' . l:linter.output_stream . ' exe=' . l:linter.executable(bufnr('%')))
  let l:cmd = l:linter.command(bufnr('%'))
  call add(l:out, 'command=' . l:cmd)
  call add(l:out, 'cwd=' . l:linter.cwd(bufnr('%')))
  " run the command the way ALE would (%e, %s) and hand the lines to the callback
  let l:run = substitute(l:cmd, '%e', shellescape(g:ale_c_tasklint_executable), '')
  let l:run = substitute(l:run, '%s', shellescape(expand('%:p')), '')
  let l:lines = systemlist('cd ' . shellescape(l:linter.cwd(bufnr('%'))) . ' && ' . l:run)
  let l:items = function(l:linter.callback)(bufnr('%'), l:lines)
  for l:i in l:items
    call add(l:out, printf('%s|%d|%d|%s|%s|%s', get(l:i, 'filename', '-'), l:i.lnum, l:i.col,
          \ l:i.type, get(l:i, 'code', '-'), l:i.text))
  endfor
  call add(l:out, 'detail1=' . substitute(get(l:items[0], 'detail', ''), "\n", '\\n', 'g'))
  " tags after the rule id (a baseline's [new]) and foreign files
  let l:more = function(l:linter.callback)(bufnr('%'), [
        \ expand('%:p') . ':5:3: warning: something leaks [orphaned-spawn] [new]',
        \ 'other/x.h:2:1: warning: in a header [missing-timeout]',
        \ '    some source line',
        \ '    ^'])
  for l:i in l:more
    call add(l:out, printf('%s|%d|%d|%s|%s|%s', get(l:i, 'filename', '-'), l:i.lnum, l:i.col,
          \ l:i.type, get(l:i, 'code', '-'), l:i.text))
  endfor
  return l:out
endfunction
V
cd "$SRC" || exit 1
vim -Nu NONE -i NONE -es \
    -c "set rtp^=$T/alestub" \
    -c "let g:ale_c_tasklint_executable = '$TL'" \
    -c "source $SRC/editors/vim/ale_linters/c/tasklint.vim" \
    -c "source $T/ale_test.vim" \
    -c "edit $FIX" \
    -c "call writefile(Check(), '$T/ale')" \
    -c 'qall!' </dev/null >/dev/null 2>&1
f0=$fails
if ! [ -s "$T/ale" ]; then
    fail "ALE: no output"
else
    grep -qx "filetype=c name=tasklint lint_file=1 stream=stdout exe=$TL" "$T/ale" || { fail "ALE definition"; cat "$T/ale"; }
    grep -q "^command=%e --color=never.* %s$" "$T/ale" || fail "ALE command: $(grep ^command "$T/ale")"
    [ -z "$NODB" ] || grep -q "^command=%e --color=never --no-db %s$" "$T/ale" || fail "ALE command without --no-db: $(grep ^command "$T/ale")"
    grep -qx "cwd=$SRC/fixtures/orphaned-spawn" "$T/ale" || fail "ALE cwd: $(grep ^cwd "$T/ale")"
    w=$(awk -F'|' '/^detail1=/ {exit} $1=="-" && $4=="W" && $5=="orphaned-spawn" {printf "%s ", $2}' "$T/ale")
    [ "$w" = "$expected" ] || { fail "ALE: warning lines '$w', expected '$expected'"; cat "$T/ale"; }
    grep -qx -- "-|29|9|W|orphaned-spawn|thread 'reader' spawned by pthread_create() leaks when returning at line 33 (not joined or detached on this path)" "$T/ale" \
        || { fail "ALE: item for line 29"; cat "$T/ale"; }
    grep -qx -- "-|33|9|I|orphaned-spawn|note: the thread is still owned when returning here" "$T/ale" \
        || { fail "ALE: note item"; cat "$T/ale"; }
    grep -q '^detail1=.*\[orphaned-spawn\]\\npthread_error_path.c:33:9: note: the thread is still owned' "$T/ale" \
        || fail "ALE: detail with notes: $(grep ^detail1 "$T/ale")"
    grep -qx -- "-|5|3|W|orphaned-spawn|something leaks \[new\]" "$T/ale" || { fail "ALE: [new] tag"; cat "$T/ale"; }
    grep -qx "$SRC/fixtures/orphaned-spawn/other/x.h|2|1|W|missing-timeout|in a header" "$T/ale" \
        || { fail "ALE: other file"; cat "$T/ale"; }
    [ "$(grep -c '|' "$T/ale")" = 8 ] || { fail "ALE: item count"; cat "$T/ale"; }
    [ $fails = $f0 ] && echo "ok   ALE linter: definition, command and callback on real output"
fi

# ALE with a compile_commands.json that lists the file: -p and the project as cwd
mkdir -p "$T/p2/src" "$T/p2/build" "$T/p2/include"
printf '#ifdef USE_FOREVER\n#define WAIT_MS (-1)\n#else\n#define WAIT_MS 1000\n#endif\n' >"$T/p2/include/cfg.h"
printf '#include <poll.h>\n#include "cfg.h"\nint wait_peer(int fd) {\n    struct pollfd p = {.fd = fd, .events = POLLIN};\n    return poll(&p, 1, WAIT_MS);\n}\n' >"$T/p2/src/wait.c"
printf '[{"directory": "..", "file": "src/wait.c", "arguments": ["cc", "-Iinclude", "-DUSE_FOREVER", "-c", "src/wait.c"]}]\n' >"$T/p2/build/compile_commands.json"
cd "$T/p2/src" || exit 1
vim -Nu NONE -i NONE -es \
    -c "set rtp^=$T/alestub" \
    -c "let g:ale_c_tasklint_executable = '$TL'" \
    -c "source $SRC/editors/vim/ale_linters/c/tasklint.vim" \
    -c "source $T/ale_test.vim" \
    -c "edit $T/p2/src/wait.c" \
    -c "call writefile(Check(), '$T/ale2')" \
    -c 'qall!' </dev/null >/dev/null 2>&1
grep -q "^command=.* -p '$T/p2/build/compile_commands.json' %s$" "$T/ale2" \
    && grep -qx "cwd=$T/p2" "$T/ale2" \
    && grep -qx -- "-|5|12|W|missing-timeout|poll() .*" "$T/ale2" \
    && echo "ok   ALE linter: compile_commands.json (-p, flags from the database)" \
    || { fail "ALE with a database"; cat "$T/ale2"; }

[ $fails = 0 ] || { echo "$fails failure(s)"; exit 1; }
echo "all vim tests passed"
