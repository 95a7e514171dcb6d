#!/usr/bin/env bash
# A compile_commands.json comes with the checkout: it must not make tasklint
# write files (front-end options that write are dropped, also inside @response
# files), special files (FIFOs, /dev/zero) must not hang it, and -p FILE uses
# that very file.
set -u
TL=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
# every run is bounded: a hang is a failure, not a stuck test suite
run() { timeout 60 "$TL" --no-db "$@" >"$T/out" 2>"$T/err"; }

mkdir -p "$T/p/src" "$T/p/build" "$T/p/w" "$T/p/include"
cat >"$T/p/include/cfg.h" <<'C'
#ifdef USE_FOREVER
#define WAIT_MS (-1)
#else
#define WAIT_MS 1000
#endif
C
cat >"$T/p/src/wait.c" <<'C'
#include <poll.h>
#include "cfg.h"
int wait_peer(int fd) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, WAIT_MS);
}
C
cat >"$T/p/src/clean.c" <<'C'
int clean(void) { return 0; }
C
W=$T/p/w
# options that write files or directories when libclang carries them out
WRITERS='"-Xclang", "-header-include-file", "-Xclang", "'$W'/hdr", "-H",
  "-Xclang", "-dependency-dot", "-Xclang", "'$W'/dot",
  "-Xclang", "-module-dependency-dir", "-Xclang", "'$W'/mdd",
  "-Xclang", "-stats-file='$W'/stats", "-Xclang", "-serialize-diagnostic-file", "-Xclang", "'$W'/sd.dia",
  "-ftime-trace='$W'/trace.json", "-MD", "-MF", "'$W'/dep.d",
  "--serialize-diagnostics", "'$W'/diag.dia", "-fmodules", "-fmodules-cache-path='$W'/mcache",
  "-fcrash-diagnostics-dir='$W'/crash", "-fprofile-instr-generate='$W'/prof",
  "-mllvm", "-info-output-file='$W'/info", "-mllvm", "-stats", "-B", "'$W'/bin"'
# options that load code, and writers libclang refuses in this combination
# (the parse must succeed, and nothing is written)
LOADERS='"-fplugin='$W'/plugin.so", "-Xclang", "-load", "-Xclang", "'$W'/load.so",
  "-fpass-plugin='$W'/pass.so", "-Xclang", "-plugin", "-Xclang", "x", "-save-temps=obj",
  "-Xclang", "-dependency-file", "-Xclang", "'$W'/dep2.d", "-Xclang", "-MT", "-Xclang", "x"'
cat >"$T/p/build/compile_commands.json" <<J
[{"directory": "$T/p", "file": "src/wait.c",
  "arguments": ["cc", "-Iinclude", "-DUSE_FOREVER", $WRITERS, "-c", "src/wait.c", "-o", "$W/wait.o"]}]
J
cd "$T/p"
run -v -p build
rc=$?
[ "$rc" = 1 ] || fail "writers: exit $rc: $(cat "$T/out" "$T/err")"
grep -q "wait.c:5:12: warning: .*\[missing-timeout\]" "$T/out" || fail "writers: -I/-D not kept"
[ -z "$(ls -A "$W")" ] || fail "writers: files were written: $(ls -A "$W" | tr '\n' ' ')"
grep -q "not on the allow-list, not passed to clang: .*'-Xclang -header-include-file'" "$T/err" \
    || fail "writers: no -v note: $(cat "$T/err")"
[ "$(grep -c "allow-list" "$T/err")" = 1 ] || fail "writers: the note is printed more than once"
echo "ok   writers in the database are dropped, nothing is written"

cat >"$T/p/build/compile_commands.json" <<J
[{"directory": "$T/p", "file": "src/wait.c",
  "arguments": ["cc", "-Iinclude", "-DUSE_FOREVER", $LOADERS, "-c", "src/wait.c"]}]
J
run -p build
rc=$?
[ "$rc" = 1 ] || fail "loaders: exit $rc: $(cat "$T/out" "$T/err")"
[ -z "$(ls -A "$W")" ] || fail "loaders: files were written: $(ls -A "$W" | tr '\n' ' ')"
echo "ok   plugin options in the database are dropped"

# the same from a response file (nested, relative to the file naming it)
mkdir -p build/rsp
# (-I paths are relative to the entry's directory, build/)
printf '%s\n' "-I../include @inner.rsp" >build/rsp/outer.rsp
echo "[$WRITERS]" | tr -d '[],' | sed 's/"//g' >build/rsp/inner.rsp
echo "-DUSE_FOREVER" >>build/rsp/inner.rsp
cat >build/compile_commands.json <<J
[{"directory": "$T/p/build", "file": "../src/wait.c", "command": "cc @rsp/outer.rsp -c ../src/wait.c"}]
J
run -p build
rc=$?
[ "$rc" = 1 ] || fail "response file: exit $rc: $(cat "$T/out" "$T/err")"
grep -q "wait.c:5:12: warning: .*\[missing-timeout\]" "$T/out" || fail "response file: -I/-D not kept"
[ -z "$(ls -A "$W")" ] || fail "response file: files were written: $(ls -A "$W" | tr '\n' ' ')"
echo "ok   writers in a response file are dropped, nothing is written"

# -p FILE with another name: that file is used (not DIR/compile_commands.json)
cat >build/compile_commands.json <<J
[{"directory": "$T/p", "file": "src/wait.c", "arguments": ["cc", "-Iinclude", "-c", "src/wait.c"]}]
J
cat >build/forever.json <<J
[{"directory": "$T/p", "file": "src/wait.c", "arguments": ["cc", "-Iinclude", "-DUSE_FOREVER", "-c", "src/wait.c"]}]
J
run -p build/forever.json
rc=$?
[ "$rc" = 1 ] || fail "-p FILE: exit $rc (the other database was used?): $(cat "$T/out" "$T/err")"
run -p build
rc=$?
[ "$rc" = 0 ] || fail "-p DIR: exit $rc: $(cat "$T/out" "$T/err")"
echo "ok   -p FILE uses that file"

# special files: clear errors, exit 2, no hang
mkfifo "$T/fifo.json"
ln -s /dev/zero "$T/zero.json"
mkdir -p "$T/fifodir" && mkfifo "$T/fifodir/compile_commands.json"
for db in "$T/fifo.json" "$T/zero.json" "$T/fifodir"; do
    run -p "$db"
    rc=$?
    [ "$rc" = 2 ] || fail "-p $db: exit $rc"
    grep -q "cannot load .*: not a regular file (a \(FIFO\|character device\))" "$T/err" \
        || fail "-p $db: $(cat "$T/err")"
done
echo "ok   -p FIFO, -p /dev/zero, -p DIR with a FIFO: error, exit 2"

mkfifo src/fifo.c
ln -s /dev/zero src/zero.c
for f in src/fifo.c src/zero.c; do
    run "$f" src/clean.c
    rc=$?
    [ "$rc" = 2 ] || fail "PATH $f: exit $rc"
    grep -q "$f: not a regular file" "$T/err" || fail "PATH $f: $(cat "$T/err")"
done
run src   # (build/compile_commands.json is found: wait.c without -DUSE_FOREVER)
rc=$?
[ "$rc" = 0 ] || fail "directory with special files: exit $rc: $(cat "$T/err")"
grep -q "2 files analysed" "$T/err" || fail "directory with special files: $(cat "$T/err")"
echo "ok   special files named on the command line: error, exit 2; skipped in directories"

cat >build/compile_commands.json <<J
[{"directory": "$T/p", "file": "src/fifo.c", "arguments": ["cc", "-c", "src/fifo.c"]},
 {"directory": "$T/p", "file": "src/zero.c", "arguments": ["cc", "-c", "src/zero.c"]},
 {"directory": "$T/p", "file": "src/clean.c", "arguments": ["cc", "-include", "/dev/zero", "-c", "src/clean.c"]},
 {"directory": "$T/p", "file": "src/clean.c", "arguments": ["cc", "-c", "src/clean.c"]},
 {"directory": "$T/p", "file": "src/wait.c", "arguments": ["cc", "@$T/fifo.json", "-c", "src/wait.c"]},
 {"directory": "$T/p", "file": "src/wait.c", "arguments": ["cc", "-Iinclude", "-DUSE_FOREVER", "-c", "src/wait.c"]}]
J
run -p build
rc=$?
[ "$rc" = 2 ] || fail "special entries: exit $rc"
grep -q "entry 1 (src/fifo.c): not a regular file (a FIFO)" "$T/err" || fail "entry FIFO: $(cat "$T/err")"
grep -q "entry 2 (src/zero.c): not a regular file (a character device)" "$T/err" || fail "entry /dev/zero"
grep -q "entry 3 (src/clean.c): -include /dev/zero: not a regular file" "$T/err" || fail "-include /dev/zero"
grep -q "entry 5 (src/wait.c): response file @.*fifo.json: not a regular file (a FIFO)" "$T/err" \
    || fail "response file FIFO: $(cat "$T/err")"
grep -q "no C files" "$T/err" && fail "special entries: reported as no input"
# entries 4 and 6 are not analysed: their files were listed before (first entry wins),
# so nothing is left; with a usable entry next to them, it is analysed
cat >build/compile_commands.json <<J
[{"directory": "$T/p", "file": "src/fifo.c", "arguments": ["cc", "-c", "src/fifo.c"]},
 {"directory": "$T/p", "file": "src/wait.c", "arguments": ["cc", "-Iinclude", "-DUSE_FOREVER", "-c", "src/wait.c"]}]
J
run -p build
rc=$?
[ "$rc" = 2 ] || fail "special entry and a good one: exit $rc"
grep -q "wait.c:5:12: warning: .*\[missing-timeout\]" "$T/out" || fail "the good entry was not analysed"
grep -q "1 file analysed" "$T/err" || fail "summary: $(cat "$T/err")"
echo "ok   special files in the database: an error for the entry, the rest analysed, exit 2"

# control characters from the database are escaped in messages
printf '[{"directory": "%s", "file": "src/\\u001b[31mred.c", "arguments": ["cc", "-c", "x.c"]},
 {"directory": "%s", "file": "src/clean.c", "arguments": ["cc", "-\\u001b[2J"]},
 {"directory": "%s", "file": "src/wait.c", "arguments": ["cc", "-\\u001b[2J", "-Iinclude"]}]\n' \
    "$T/p" "$T/p" "$T/p" >build/compile_commands.json
mkfifo "$(printf 'src/\033[31mred.c')"
run -v -p build
grep -q "$(printf '\033')" "$T/err" && fail "a raw escape character reached stderr: $(cat -v "$T/err")"
grep -q 'src/\\x1b\[31mred.c' "$T/err" || fail "escaped file name: $(cat -v "$T/err")"
[ "$(grep -o "'-\\\\x1b\[2J'" "$T/err" | wc -l)" = 1 ] || fail "escaped dropped argument, once: $(cat -v "$T/err")"
echo "ok   messages escape control characters; a dropped argument is listed once"

[ "$fails" = 0 ] && echo "all passed" || { echo "$fails failed"; exit 1; }
