#!/usr/bin/env bash
# bench/incremental.sh - what incremental re-analysis saves on a real project.
#
#   bench/incremental.sh PROJECT_DIR [BUILD_DIR]
#
# BUILD_DIR (default PROJECT_DIR/build) holds compile_commands.json.  With a
# fresh store in a temporary directory it times:
#   1. a full run without the store (--no-db),
#   2. a full run on an empty store,
#   3. a re-run on the unchanged tree (every TU reused),
#   4. a re-run after appending a comment to one header (HEADER; default:
#      the first header under PROJECT_DIR/src in sorted order), which
#      re-analyses exactly the TUs that include it.
# and prints wall times, the ratios, and the store's share of a full run
# (run 2 against run 1).  The header is restored byte for byte (and its
# mtime) afterwards, even when interrupted.  A benchmark, not a test.
#
# Environment: TASKLINT (default: build/tasklint of this checkout), JOBS
# (-j, default: tasklint's default), HEADER, REPEAT (runs of 1 and 2 to take
# the median of, default 1).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
TL=${TASKLINT:-$here/build/tasklint}
[ $# -ge 1 ] || { echo "usage: $0 PROJECT_DIR [BUILD_DIR]" >&2; exit 2; }
PROJECT=$(cd "$1" && pwd)
BUILD=${2:-$PROJECT/build}
[ -f "$BUILD/compile_commands.json" ] || { echo "$0: no $BUILD/compile_commands.json" >&2; exit 2; }
[ -x "$TL" ] || { echo "$0: no tasklint at $TL (set TASKLINT=...)" >&2; exit 2; }
REPEAT=${REPEAT:-1}
jobs=()
[ -n "${JOBS:-}" ] && jobs=(-j "$JOBS")

tmp=$(mktemp -d)
header=${HEADER:-}
if [ -z "$header" ]; then
    header=$(cd "$PROJECT" && find src -name '*.h' 2>/dev/null | LC_ALL=C sort | head -1)
    [ -n "$header" ] && header=$PROJECT/$header
fi
[ -n "$header" ] && [ -f "$header" ] || { echo "$0: no header to touch (set HEADER=...)" >&2; exit 2; }
cp -p "$header" "$tmp/header.orig"
restore() {
    cp -p "$tmp/header.orig" "$header"
    rm -rf "$tmp"
}
trap restore EXIT
trap 'exit 130' INT TERM

now() { date +%s.%N; }
# run LABEL DB_ARGS... : wall time of one tasklint run (output discarded)
run() {
    local t0 t1 rc
    t0=$(now)
    set +e
    (cd "$PROJECT" && "$TL" -v -p "$BUILD" "${jobs[@]}" "$@" >/dev/null 2>"$tmp/err")
    rc=$?
    set -e
    t1=$(now)
    if [ $rc -gt 1 ]; then
        echo "$0: tasklint exited $rc:" >&2
        cat "$tmp/err" >&2
        exit 1
    fi
    echo "$t1 - $t0" | bc -l
}
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

db=$tmp/findings.db
ntu=$(grep -c '"file"' "$BUILD/compile_commands.json" || true)
echo "project: $PROJECT ($ntu compile_commands entries), tasklint: $TL ${jobs[*]}"

t_nodb=$(for _ in $(seq "$REPEAT"); do run --no-db; done | median)
t_full=$(for _ in $(seq "$REPEAT"); do rm -f "$db" "$db-wal" "$db-shm"; run --db "$db"; done | median)
# tasklint -v: "...; store: 0.01s lookups, 0.16s stamps, 0.38s writes." (of the last full run)
store_line=$(grep -o 'store: .*' "$tmp/err" || echo "store: (no -v timing line)")
t_same=$(run --db "$db")
printf '\n/* touched by bench/incremental.sh */\n' >>"$header"
t_hdr=$(run --db "$db")
runs=$("$TL" runs --db "$db")
reanalysed=$(echo "$runs" | awk 'NR==2 {print $5 - $6}')
files=$(echo "$runs" | awk 'NR==2 {print $5}')
dbsize=$(du -k "$db" | cut -f1)

pct() { echo "scale=1; 100 * $1 / $2" | bc -l; }
printf '\n%-44s %9s %8s\n' "run" "wall (s)" "of full"
printf '%-44s %9.2f %7s%%\n' "full, no store (--no-db)" "$t_nodb" "$(pct "$t_nodb" "$t_full")"
printf '%-44s %9.2f %7s%%\n' "full, empty store" "$t_full" "100.0"
printf '%-44s %9.2f %7s%%\n' "re-run, unchanged tree" "$t_same" "$(pct "$t_same" "$t_full")"
printf '%-44s %9.2f %7s%%\n' "re-run, one header touched ($reanalysed of $files TUs)" "$t_hdr" "$(pct "$t_hdr" "$t_full")"
printf '\nheader: %s\n' "${header#$PROJECT/}"
printf 'store share of a full run: %.2f s (%s%%) wall against --no-db; measured inside tasklint: %s\n' \
    "$(echo "$t_full - $t_nodb" | bc -l)" "$(pct "$(echo "$t_full - $t_nodb" | bc -l)" "$t_full")" "$store_line"
printf 'store size at the end (3 runs): %s KiB\n' "$dbsize"
