#!/usr/bin/env bash
# Each worker process runs under an address-space limit (RLIMIT_AS):
# TASKLINT_MEMORY_LIMIT, by default 4 GiB or half the physical memory.  A
# file that includes /dev/zero makes clang read forever; with the limit it
# costs about that much memory and fails alone: the run ends, exit 2, the
# other files' findings are kept.  Skipped (77) in AddressSanitizer builds,
# where the limit is not enforced (ASan's shadow memory needs terabytes of
# address space); test_crash_isolation.sh covers the crash path there.
# Usage: bash test_memory_limit.sh TASKLINT SOURCE_DIR
set -u
TL=$1
if grep -qa __asan_init "$TL"; then
    echo "skipped: AddressSanitizer build (no memory limit)"
    exit 77
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
passed_before=0
ok() {
    [ "$fails" = "$passed_before" ] && echo "ok   $*"
    passed_before=$fails
}

mkdir -p "$T/z"
cd "$T" || exit 1
cat >z/good.c <<'C'
#include <pthread.h>
static void *run(void *arg) { return arg; }
void start(void) { pthread_t t; pthread_create(&t, NULL, run, NULL); }
C
printf '#include "/dev/zero"\nint x;\n' >z/zero.c

# ---- /dev/zero under a 1 GiB limit (and a 6 GiB safety net for the test) ----
python3 - "$TL" "$T" >"$T/res" <<'PY'
import os, resource, subprocess, sys, time
tl, tmp = sys.argv[1], sys.argv[2]
def net():
    resource.setrlimit(resource.RLIMIT_AS, (6 << 30, 6 << 30))
env = dict(os.environ, TASKLINT_MEMORY_LIMIT="1G")
t0 = time.monotonic()
with open(tmp + "/out", "w") as out, open(tmp + "/err", "w") as err:
    p = subprocess.run([tl, "--db", tmp + "/db", "-j", "2", "z"], env=env, stdout=out,
                       stderr=err, preexec_fn=net, timeout=300)
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
print(p.returncode, ru.ru_maxrss // 1024, int(time.monotonic() - t0))
PY
read -r rc rss_mb took <"$T/res"
[ "$rc" = 2 ] || fail "/dev/zero: exit $rc, expected 2"
[ "$rss_mb" -lt 1536 ] || fail "/dev/zero: a process grew to $rss_mb MiB with a 1 GiB limit"
grep -q "^z/good.c:3:.*orphaned-spawn" "$T/out" || fail "/dev/zero: good.c's finding is missing"
grep -q "z/zero.c: error: the C front end crashed on this file" "$T/out" ||
    grep -q "z/zero.c: could not be parsed" "$T/err" ||
    { fail "/dev/zero: zero.c is not reported"; cat "$T/out" "$T/err"; }
status=$("$TL" runs --db "$T/db" | awk 'NR == 2 {print $2}')
[ "$status" = complete ] || [ "$status" = failed ] || fail "/dev/zero: the run is '$status'"
ok "#include \"/dev/zero\" stops at the limit (largest process: $rss_mb MiB, $took s)"

# ---- the limit a worker really has: default and TASKLINT_MEMORY_LIMIT ----
mkfifo "$T/z/fifo.h"
printf '#include "fifo.h"\n' >"$T/z/hang.c"
# prints the address-space limit (bytes) of the first worker of a run
worker_limit() {
    "$TL" --no-db -j 1 "$T/z/hang.c" >/dev/null 2>&1 &
    local pid=$! child="" lim=""
    for _ in $(seq 1 100); do
        child=$(pgrep -P "$pid" | head -1)
        [ -n "$child" ] && lim=$(awk '/^Max address space/ {print $4}' "/proc/$child/limits" 2>/dev/null)
        [ -n "$lim" ] && break
        sleep 0.05
    done
    kill -INT "$pid"
    wait "$pid"
    echo "$lim"
}
phys=$(($(getconf _PHYS_PAGES) * $(getconf PAGE_SIZE)))
want=$((4 << 30))
[ $((phys / 2)) -lt $want ] && want=$((phys / 2))
got=$(worker_limit)
[ "$got" = "$want" ] || fail "default limit: $got, expected $want"
got=$(TASKLINT_MEMORY_LIMIT=768M worker_limit)
[ "$got" = $((768 << 20)) ] || fail "TASKLINT_MEMORY_LIMIT=768M: $got"
got=$(TASKLINT_MEMORY_LIMIT=0 worker_limit)
[ "$got" = unlimited ] || fail "TASKLINT_MEMORY_LIMIT=0: $got"
ok "workers get the limit: default $want bytes, or TASKLINT_MEMORY_LIMIT"

[ "$fails" = 0 ] && echo "all passed" || { echo "$fails failed"; exit 1; }
