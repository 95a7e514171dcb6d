#!/usr/bin/env bash
# Whole-program runs through the CLI: a blocking chain over three files is
# found; a run over one file links the other files' summaries kept in the
# store (and says so); without a store it sees only that file; a change in
# one file re-judges an unchanged file without parsing it again; an
# unchanged re-run reuses everything.
# Usage: bash test_whole_program.sh TASKLINT SOURCE_DIR
set -u
TL=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
ok() { echo "ok   $*"; }
unset TASKLINT_DB

mkdir -p "$T/p/src"
cd "$T/p" || exit 1
cat >src/loop.c <<'C'
#include <uv.h>
int run_command(const char *name);
static void on_tick(uv_timer_t *t) {
    (void)t;
    run_command("reload");
}
void start(uv_timer_t *t) { uv_timer_start(t, on_tick, 1000, 1000); }
C
cat >src/cmd.c <<'C'
int load_state(const char *path);
int run_command(const char *name) { return load_state(name); }
C
cat >src/storage.c <<'C'
#include <stdio.h>
int load_state(const char *path) {
    char buf[64];
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    return (int)n;
}
C
mkdir .git # the project root (the store goes to .tasklint/ here)

# 1. the whole program: the chain across three files
"$TL" -v src >"$T/out1" 2>"$T/err1"; rc=$?
[ $rc = 1 ] || fail "full run: exit $rc, expected 1"
grep -q "loop.c:5:5: warning: call to run_command() blocks inside event-loop callback 'on_tick'.*run_command() -> load_state() -> fread()" "$T/out1" ||
    { fail "full run: the cross-file chain is missing"; cat "$T/out1" "$T/err1"; }
grep -q "cmd.c:2:44: note: run_command() calls load_state() here" "$T/out1" || fail "full run: no note in cmd.c"
grep -q "storage.c:6:16: note: fread() blocks here, in load_state()" "$T/out1" || fail "full run: no note in storage.c"
grep -q "whole program: 4 functions linked" "$T/err1" || { fail "full run: -v does not describe the link"; cat "$T/err1"; }
ok "full run: the chain over three files, a note per step in its own file"

# 2. one file, with the store: the other files' kept summaries are linked
"$TL" -v src/loop.c >"$T/out2" 2>"$T/err2"; rc=$?
[ $rc = 1 ] || fail "one file with the store: exit $rc, expected 1"
grep -q "run_command() -> load_state() -> fread()" "$T/out2" || { fail "one file with the store: chain missing"; cat "$T/out2" "$T/err2"; }
grep -q "whole program: 2 other files linked from earlier runs" "$T/err2" || { fail "one file: -v does not say it used kept summaries"; cat "$T/err2"; }
ok "one file with the store: judged against the whole program"

# 3. one file, no store: only that file is known (and -v says so)
"$TL" -v --no-db src/loop.c >"$T/out3" 2>"$T/err3"; rc=$?
[ $rc = 0 ] || { fail "one file without a store: exit $rc, expected 0"; cat "$T/out3"; }
grep -q "only the files named are linked" "$T/err3" || { fail "one file without a store: -v silent"; cat "$T/err3"; }
ok "one file without a store: only that file, and -v says so"

# 4. an unchanged re-run reuses everything and finds the same
"$TL" -v src >"$T/out4" 2>"$T/err4"; rc=$?
[ $rc = 1 ] || fail "unchanged re-run: exit $rc"
cmp -s "$T/out1" "$T/out4" || { fail "unchanged re-run: output differs"; diff "$T/out1" "$T/out4"; }
grep -q "3 of 3 files unchanged" "$T/err4" || { fail "unchanged re-run: not all reused"; cat "$T/err4"; }
ok "unchanged re-run: everything reused, the same findings"

# 5. storage.c stops blocking: loop.c is unchanged, yet its finding goes
cat >src/storage.c <<'C'
int load_state(const char *path) { return path[0]; }
C
"$TL" -v src >"$T/out5" 2>"$T/err5"; rc=$?
[ $rc = 0 ] || { fail "after the fix: exit $rc, expected 0"; cat "$T/out5"; }
grep -q "2 of 3 files unchanged" "$T/err5" || { fail "after the fix: expected 2 reused (1 summary re-extracted)"; cat "$T/err5"; }
ok "a change in one file re-judges an unchanged caller without parsing it"

# 6. and back: the finding returns, still one file analysed again
cp "$T/p/src/storage.c" "$T/fixed.c"
cat >src/storage.c <<'C'
#include <unistd.h>
int load_state(const char *path) { sleep(1); return path[0]; }
C
"$TL" -v src >"$T/out6" 2>"$T/err6"; rc=$?
[ $rc = 1 ] || fail "blocking again: exit $rc"
grep -q "run_command() -> load_state() -> sleep()" "$T/out6" || { fail "blocking again: chain missing"; cat "$T/out6"; }
grep -q "2 of 3 files unchanged" "$T/err6" || { fail "blocking again: expected 2 reused"; cat "$T/err6"; }
ok "blocking again: found, one file parsed"

# 7. a header's static function, used as a callback by two files: its
#    finding is reported once, at the header
mkdir -p "$T/h"
cat >"$T/h/cb.h" <<'C'
#include <unistd.h>
#include <uv.h>
static inline void on_tick(uv_timer_t *t) { (void)t; sleep(1); }
C
printf '#include "cb.h"\nvoid start_a(uv_timer_t *t) { uv_timer_start(t, on_tick, 1, 1); }\n' >"$T/h/a.c"
printf '#include "cb.h"\nvoid start_b(uv_timer_t *t) { uv_timer_start(t, on_tick, 1, 1); }\n' >"$T/h/b.c"
"$TL" --no-db "$T/h" >"$T/out7" 2>"$T/err7"; rc=$?
[ $rc = 1 ] && [ "$(grep -c 'cb.h:3:.*warning:' "$T/out7")" = 1 ] ||
    { fail "header function: expected its finding once (exit $rc)"; cat "$T/out7"; }
ok "a header function's finding, seen from two files, is reported once"

[ "$fails" = 0 ] && echo "all passed" || { echo "$fails failed"; exit 1; }
