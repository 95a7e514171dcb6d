#!/usr/bin/env bash
# Colour: never when stdout is not a terminal (unless --color=always), never
# with NO_COLOR set (not even with --color=always), and on a terminal otherwise
# (checked under script(1) when it is installed).
set -u
TL=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
ESC=$'\033'
has_esc() { grep -q "$ESC" "$1"; }

cat >"$T/leak.c" <<'C'
#include <pthread.h>
static void *run(void *arg) { return arg; }
void start(void) { pthread_t t; pthread_create(&t, NULL, run, NULL); }
C

env -u NO_COLOR "$TL" "$T/leak.c" >"$T/out" 2>"$T/err"
has_esc "$T/out" && fail "escape codes in piped stdout"
has_esc "$T/err" && fail "escape codes in piped stderr"
grep -q "warning:" "$T/out" || fail "no finding printed"
echo "ok   no colour when piped"

NO_COLOR=1 "$TL" --color=auto "$T/leak.c" >"$T/out" 2>&1
has_esc "$T/out" && fail "escape codes with NO_COLOR"
"$TL" --color=never "$T/leak.c" >"$T/out" 2>&1
has_esc "$T/out" && fail "escape codes with --color=never"
env -u NO_COLOR "$TL" --color=always "$T/leak.c" >"$T/out" 2>/dev/null
has_esc "$T/out" || fail "no escape codes with --color=always"
grep -q "${ESC}\[1;35mwarning:" "$T/out" || fail "warning not magenta"
NO_COLOR=1 "$TL" --color=always "$T/leak.c" >"$T/out" 2>&1
has_esc "$T/out" && fail "escape codes with NO_COLOR and --color=always"
echo "ok   --color / NO_COLOR"

if command -v script >/dev/null 2>&1 && script -qec true /dev/null >/dev/null 2>&1; then
    env -u NO_COLOR TERM=xterm script -qec "'$TL' '$T/leak.c'" /dev/null >"$T/tty" 2>&1
    has_esc "$T/tty" || fail "no colour on a terminal"
    NO_COLOR=1 TERM=xterm script -qec "'$TL' '$T/leak.c'" /dev/null >"$T/tty" 2>&1
    # the only escapes allowed with NO_COLOR are none at all (no progress for 1 file)
    has_esc "$T/tty" && fail "escape codes on a terminal with NO_COLOR"
    NO_COLOR= TERM=xterm script -qec "'$TL' '$T/leak.c'" /dev/null >"$T/tty" 2>&1
    has_esc "$T/tty" || fail "empty NO_COLOR should not disable colour"
    echo "ok   terminal"
else
    echo "skip terminal checks (no script(1))"
fi

[ "$fails" = 0 ] && echo "all passed" || { echo "$fails failed"; exit 1; }
