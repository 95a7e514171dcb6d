#!/usr/bin/env bash
# bench/linear.sh - does tasklint's cost grow linearly with the size of a function?
#
#   bench/linear.sh [SHAPE...]
#
# For each shape of bench/gen_hostile.py (default: all but deepnest) and
# each size in SIZES it generates the file, runs tasklint once (-j1 --no-db
# --no-config) and `clang-19 -fsyntax-only` once on it, with the same
# arguments (-I fixtures/include -std=gnu11), and prints per run: CPU seconds
# (user + sys) and peak RSS of each, tasklint / clang CPU, and the growth of
# tasklint's CPU per doubling of the size against the previous size
# ((t2/t1)^(1/log2(n2/n1)): 2.0 is linear, 4.0 quadratic).  deepnest is the
# nesting depth itself; give it its own sizes (DEEP_SIZES).  A benchmark, not
# a test: on a shared machine read the ratios, not the seconds.
#
# Environment: TASKLINT (default build/tasklint), CLANG (clang-19), SIZES
# (default "5000 10000 20000 50000"), DEEP_SIZES ("100 200 400 800"),
# TIMEOUT per run in seconds (300), MEM_MB address-space limit per run
# (4096; a run over it fails and shows as "fail"), KEEP=1 keeps the files.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
TL=${TASKLINT:-$here/build/tasklint}
CLANG=${CLANG:-clang-19}
SIZES=${SIZES:-5000 10000 20000 50000}
DEEP_SIZES=${DEEP_SIZES:-100 200 400 800}
TIMEOUT=${TIMEOUT:-300}
MEM_MB=${MEM_MB:-4096}
[ -x "$TL" ] || { echo "$0: no tasklint at $TL (set TASKLINT=...)" >&2; exit 2; }
command -v "$CLANG" >/dev/null || { echo "$0: no $CLANG" >&2; exit 2; }
command -v /usr/bin/time >/dev/null 2>&1 || [ -x /usr/bin/time ] || { echo "$0: needs /usr/bin/time" >&2; exit 2; }

if [ $# -gt 0 ]; then shapes=("$@"); else
    read -r -a shapes <<< "$(python3 "$here/bench/gen_hostile.py" --list | sed 's/\bdeepnest\b//')"
fi
work=$(mktemp -d "${TMPDIR:-/tmp}/tasklint-linear.XXXXXX")
[ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$work"' EXIT
args=(-I "$here/fixtures/include" -std=gnu11)

# run LABEL CMD...: prints "cpu_seconds rss_mib exit_status" ("fail" fields on timeout/limit)
measure() {
    local out=$work/time.txt rc=0
    ( ulimit -v $((MEM_MB * 1024)); exec timeout "$TIMEOUT" /usr/bin/time -o "$out" -f '%U %S %M %x' "$@" ) \
        >/dev/null 2>"$work/stderr.txt" || rc=$?
    if [ ! -s "$out" ] || grep -q -e 'signal' -e 'Command terminated' "$out"; then
        echo "fail fail $rc"
        return
    fi
    # the last line holds the numbers (time prefixes "Command exited with ..." otherwise)
    tail -n1 "$out" | awk '{ printf "%.2f %.0f %s\n", $1 + $2, $3 / 1024, $4 }'
    if [ "$rc" = 124 ]; then echo "fail fail 124"; fi
}

printf '%-9s %7s %10s %8s %8s %8s %8s %9s %5s\n' shape size tasklint_s rss_MiB clang_s rss_MiB tl/clang growth/2x exit
for s in "${shapes[@]}"; do
    sizes=$SIZES
    [ "$s" = deepnest ] && sizes=$DEEP_SIZES
    prev_n=; prev_t=
    for n in $sizes; do
        f=$work/$s-$n.c
        python3 "$here/bench/gen_hostile.py" "$s" "$n" "$f"
        read -r tt tr trc < <(measure "$TL" -j1 --no-db --no-config -q "$f" -- "${args[@]}" | tail -n1)
        read -r ct cr _ < <(measure "$CLANG" -fsyntax-only "${args[@]}" "$f" | tail -n1)
        ratio=-; growth=-
        if [ "$tt" != fail ] && [ "$ct" != fail ]; then
            ratio=$(awk -v a="$tt" -v b="$ct" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
        fi
        if [ -n "$prev_t" ] && [ "$tt" != fail ]; then
            growth=$(awk -v t1="$prev_t" -v t2="$tt" -v n1="$prev_n" -v n2="$n" \
                'BEGIN { if (t1 < 0.05 || t2 <= 0) print "-"; else printf "%.2f", exp(log(t2 / t1) * log(2) / log(n2 / n1)) }')
        fi
        printf '%-9s %7s %10s %8s %8s %8s %8s %9s %5s\n' "$s" "$n" "$tt" "$tr" "$ct" "$cr" "$ratio" "$growth" "$trc"
        if [ "$tt" != fail ]; then prev_n=$n; prev_t=$tt; else prev_n=; prev_t=; fi
    done
done
