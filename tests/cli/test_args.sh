#!/usr/bin/env bash
# Compiler arguments after "--" apply to every file: -DFOO changes a finding,
# -I finds a header.
set -u
TL=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

mkdir -p "$T/inc"
printf '#define HDR_TIMEOUT (-1)\n' >"$T/inc/timeouts.h"
cat >"$T/wait.c" <<'C'
#include <poll.h>
#ifdef FOO
#define TMO (-1)
#else
#define TMO 1000
#endif
int wait_one(int fd) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, TMO);
}
C
cat >"$T/hdr.c" <<'C'
#include <poll.h>
#include "timeouts.h"
int wait_hdr(int fd) {
    struct pollfd p = {.fd = fd, .events = POLLIN};
    return poll(&p, 1, HDR_TIMEOUT);
}
C

"$TL" "$T/wait.c" >"$T/out" 2>&1
[ $? = 0 ] || fail "without -DFOO: $(cat "$T/out")"
"$TL" "$T/wait.c" -- -DFOO >"$T/out" 2>&1
[ $? = 1 ] || fail "with -DFOO: exit"
grep -q "wait.c:9:12: warning: poll() .*\[missing-timeout\]" "$T/out" || fail "with -DFOO: $(cat "$T/out")"
echo "ok   -DFOO"

"$TL" "$T/hdr.c" >"$T/out" 2>&1
[ $? = 1 ] || fail "without -I: exit"
grep -q "'timeouts.h' file not found \[clang-diagnostic\]" "$T/out" || fail "without -I: no clang error"
"$TL" "$T/hdr.c" -- -I "$T/inc" >"$T/out" 2>&1
grep -q "\[clang-diagnostic\]" "$T/out" && fail "with -I: clang error"
grep -q "hdr.c:5:12: .*\[missing-timeout\]" "$T/out" || fail "with -I: $(cat "$T/out")"
echo "ok   -I"

# options after PATHs work too; everything after -- belongs to the compiler
"$TL" "$T/wait.c" --disable missing-timeout -- -DFOO >"$T/out" 2>&1
[ $? = 0 ] || fail "--disable after PATH: $(cat "$T/out")"
"$TL" --profile=strict --enable=missing-timeout "$T/wait.c" -- -DFOO --not-an-option-of-ours >"$T/out" 2>&1
grep -q "unknown option" "$T/out" && fail "args after -- parsed as options"
echo "ok   option placement"

[ "$fails" = 0 ] && echo "all passed" || { echo "$fails failed"; exit 1; }
