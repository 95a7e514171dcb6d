#!/usr/bin/env bash
# The whole-program link does not depend on the order of the translation
# units: programs with several executables (files defining main), analysed
# from a compile database in file order, reversed and rotated, and with a
# store whose kept units are linked after the fresh ones, give the same
# findings.  Two programs: the fixture of static slots with the same names
# in several test executables
# (fixtures/orphaned-spawn/pthread_static_slot_executables_any_order), and a
# generated one where a libuv callback in a file of no known executable calls
# run_command(), defined by two executables (one blocks, one does not).
# Usage: bash test_link_order.sh TASKLINT SOURCE_DIR
set -u
TL=$1
SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
ok() { echo "ok   $*"; }
unset TASKLINT_DB

# compile_commands.json for every .c under $1, in the order given by $2:
# sorted, reversed or rotated (the middle file first)
compdb() {
    python3 - "$1" "$2" <<'PY'
import json, os, sys
root, order = sys.argv[1], sys.argv[2]
files = sorted(os.path.join(d, f) for d, _, fs in os.walk(root) for f in fs if f.endswith('.c'))
if order == 'reversed':
    files = files[::-1]
elif order == 'rotated':
    h = len(files) // 2
    files = files[h:] + files[:h]
with open(os.path.join(root, 'build', 'compile_commands.json'), 'w') as out:
    json.dump([{'directory': root, 'file': f, 'arguments': ['cc', '-std=gnu11', '-c', f]} for f in files], out)
PY
}

# findings of a run, one per line, sorted (the output follows the input order)
findings() {
    grep -E ': (warning|error|note): ' "$1" | LC_ALL=C sort
}

check_program() {
    local name=$1 dir=$2 expect=$3
    mkdir -p "$dir/build"
    for order in sorted reversed rotated; do
        compdb "$dir" $order
        (cd "$dir" && "$TL" -p build --no-db -j2 >"$T/$name.$order.out" 2>"$T/$name.$order.err")
        findings "$T/$name.$order.out" >"$T/$name.$order"
    done
    cat "$T/$name.sorted.out" "$T/$name.sorted.err" | grep -q "$expect" || { fail "$name: the expected finding is missing"; cat "$T/$name.sorted.out" "$T/$name.sorted.err"; }
    for order in reversed rotated; do
        if cmp -s "$T/$name.sorted" "$T/$name.$order"; then
            ok "$name: $order order, the same findings"
        else
            fail "$name: $order order changes the findings"
            diff "$T/$name.sorted" "$T/$name.$order"
        fi
    done
}

# 1. the fixture: several test executables, each a main.c with a static `t`
cp -r "$SRC/fixtures/orphaned-spawn/pthread_static_slot_executables_any_order" "$T/fx"
check_program fixture "$T/fx" "crash_on_exit/main.c:20:5: warning: thread handle stored in 't' is never joined"

# 2. run_command() defined by two executables (one blocks, one does not),
#    called from a libuv callback in a file of neither: the query takes one
#    definition, the same in every order
mkdir -p "$T/gen/lib" "$T/gen/a_daemon" "$T/gen/b_tool"
cat >"$T/gen/lib/loop.c" <<'C'
#include <uv.h>
int run_command(const char *name);
static void on_tick(uv_timer_t *t) {
    (void)t;
    run_command("reload");
}
void start(uv_timer_t *t) { uv_timer_start(t, on_tick, 1000, 1000); }
C
cat >"$T/gen/a_daemon/main.c" <<'C'
#include <uv.h>
void start(uv_timer_t *t);
int run_command(const char *name) { (void)name; return 0; }
int main(void) { uv_timer_t t; start(&t); return 0; }
C
cat >"$T/gen/b_tool/main.c" <<'C'
#include <uv.h>
#include <unistd.h>
void start(uv_timer_t *t);
int run_command(const char *name) { (void)name; sleep(1); return 0; }
int main(void) { uv_timer_t t; start(&t); return 0; }
C
check_program generated "$T/gen" "3 files analysed"

# 3. a store: a changed file is linked first (fresh), the unchanged ones
#    after it (kept); the findings equal a cold run's
mkdir -p "$T/st/.git"
cp -r "$SRC/fixtures/orphaned-spawn/pthread_static_slot_executables_any_order/." "$T/st/"
mkdir -p "$T/st/build"
compdb "$T/st" sorted
(cd "$T/st" && "$TL" -p build -j2 >"$T/st.cold.out" 2>"$T/st.cold.err")
findings "$T/st.cold.out" >"$T/st.cold"
printf '\n/* changed */\n' >>"$T/st/tests/join_on_exit/main.c"
(cd "$T/st" && "$TL" -p build -j2 >"$T/st.warm.out" 2>"$T/st.warm.err")
findings "$T/st.warm.out" >"$T/st.warm"
grep -q "never joined" "$T/st.cold" || { fail "store: cold run misses the finding"; cat "$T/st.cold.out" "$T/st.cold.err"; }
if cmp -s "$T/st.cold" "$T/st.warm"; then
    ok "store: fresh and kept units linked, the same findings"
else
    fail "store: a warm run changes the findings"
    diff "$T/st.cold" "$T/st.warm"
fi

[ $fails = 0 ] || exit 1
echo "all ok"
