#!/usr/bin/env bash
# Cost stays in proportion to clang's own: one generated function of about
# 20000 statements per hostile shape (bench/gen_hostile.py: discarded calls,
# many locals, a spawning switch, a call chain, a goto web, if/else chains,
# loop nests, correlated if-spawn/if-join pairs, thousands of go() sharing a sink's
# channel, receive loops left on EPIPE, a test list past the link's 64 targets
# per field walked by 64 guarded runners, thousands of chmake/go/chdone/hclose
# cycles, buffered channels filled and drained by counted loops, a callback
# re-running its own libevent base thousands of times, echo conversations,
# protocol layers, futures launched and taken in turn, file-scope flags tested
# in correlated pairs) is analysed in at most 8x the CPU time of
# `clang-19 -fsyntax-only` on the same file (+1.5 s), within 400 MiB.  Before
# the fixes these took 12-370x clang and up to 3.8 GiB.  Generous bounds: a
# guard against quadratic paths coming back, not a benchmark (that is
# bench/linear.sh).  Under ASan only the CPU bound is checked, 5x wider.
set -u
TL=$1
SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
command -v python3 >/dev/null || { echo "FAIL: needs python3 (TASKLINT_TEST_DEPS=1 scripts/setup.sh)"; exit 1; }
[ -x /usr/bin/time ] || { echo "FAIL: needs /usr/bin/time (TASKLINT_TEST_DEPS=1 scripts/setup.sh)"; exit 1; }
CLANG=clang-19
command -v "$CLANG" >/dev/null || CLANG=clang
factor=8 rss_limit=400
# ASan+UBSan make tasklint about 5x slower (clang is not instrumented)
if ldd "$TL" 2>/dev/null | grep -q libasan; then factor=40 rss_limit=0; fi
ARGS=(-I "$SRC/fixtures/include" -std=gnu11)

# cpu_and_rss CMD...: "user+sys seconds, peak RSS in MiB" of CMD
cpu_and_rss() {
    /usr/bin/time -o "$T/time" -f '%U %S %M' "$@" >/dev/null 2>&1
    tail -n1 "$T/time" | awk '{ printf "%.2f %d\n", $1 + $2, $3 / 1024 }'
}

for shape in calls locals switch goswitch funcs gotoweb ifchain nested corrpairs sinkspawn peerends testtable stopchans countedloops reentrant echoes layers replies globalflags sockets; do
    f=$T/$shape.c
    python3 "$SRC/bench/gen_hostile.py" "$shape" 20000 "$f"
    read -r tl_cpu tl_rss < <(cpu_and_rss "$TL" -j1 --no-db --no-config -q "$f" -- "${ARGS[@]}")
    read -r cl_cpu _ < <(cpu_and_rss "$CLANG" -fsyntax-only "${ARGS[@]}" "$f")
    ok=$(awk -v t="$tl_cpu" -v c="$cl_cpu" -v k="$factor" 'BEGIN { print (t <= k * c + 1.5) ? 1 : 0 }')
    [ "$ok" = 1 ] || fail "$shape: tasklint took ${tl_cpu}s of CPU, clang ${cl_cpu}s (limit ${factor}x + 1.5s)"
    if [ "$rss_limit" -gt 0 ] && [ "$tl_rss" -gt "$rss_limit" ]; then
        fail "$shape: tasklint peaked at ${tl_rss} MiB (limit ${rss_limit})"
    fi
done

[ $fails = 0 ] && echo "OK linear cost"
exit $((fails > 0))
