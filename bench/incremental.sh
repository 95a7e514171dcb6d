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

# run DB_ARGS... : "WALL CPU" seconds of one tasklint run (output discarded;
# CPU = user + system, less sensitive to other load on the machine)
run() {
    local rc
    set +e
    (cd "$PROJECT" && /usr/bin/time -f '%e %U %S' -o "$tmp/time" \
        "$TL" -v -p "$BUILD" "${jobs[@]}" "$@" >/dev/null 2>"$tmp/err")
    rc=$?
    set -e
    if [ $rc -gt 1 ]; then
        echo "$0: tasklint exited $rc:" >&2
        cat "$tmp/err" >&2
        exit 1
    fi
    tail -n 1 "$tmp/time" | awk '{printf "%.3f %.3f\n", $1, $2 + $3}'
}
# median of column 1 and of column 2 (each sorted on its own)
col_median() { awk -v k="$1" '{print $k}' | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
median() { local in; in=$(cat); echo "$(echo "$in" | col_median 1) $(echo "$in" | col_median 2)"; }

db=$tmp/findings.db
ntu=$(grep -c '"file"' "$BUILD/compile_commands.json" || true)
echo "project: $PROJECT ($ntu compile_commands entries), tasklint: $TL ${jobs[*]}"

[ -x /usr/bin/time ] || { echo "$0: needs /usr/bin/time (Debian package time)" >&2; exit 2; }
# interleaved, so that drifting load on the machine hits both alike
for _ in $(seq "$REPEAT"); do
    run --no-db >>"$tmp/nodb"
    rm -f "$db" "$db-wal" "$db-shm"
    run --db "$db" >>"$tmp/full"
done
read -r t_nodb c_nodb < <(median <"$tmp/nodb")
read -r t_full c_full < <(median <"$tmp/full")
# tasklint -v: "...; store: 0.01s lookups, 0.16s stamps, 0.38s writes." (of the last full run)
store_line=$(grep -o 'store: .*' "$tmp/err" || echo "store: (no -v timing line)")
read -r t_same c_same < <(run --db "$db")
printf '\n/* touched by bench/incremental.sh */\n' >>"$header"
read -r t_hdr c_hdr < <(run --db "$db")
runs=$("$TL" runs --db "$db")
reanalysed=$(echo "$runs" | awk 'NR==2 {print $5 - $6}')
files=$(echo "$runs" | awk 'NR==2 {print $5}')
dbsize=$(du -k "$db" | cut -f1)

pct() { echo "scale=1; 100 * $1 / $2" | bc -l; }
row() { printf '%-46s %8.2f %7s%% %8.2f %7s%%\n' "$1" "$2" "$(pct "$2" "$t_full")" "$3" "$(pct "$3" "$c_full")"; }
printf '\n%-46s %8s %8s %8s %8s\n' "run (median of $REPEAT for the full runs)" "wall s" "of full" "CPU s" "of full"
row "full, no store (--no-db)" "$t_nodb" "$c_nodb"
row "full, empty store" "$t_full" "$c_full"
row "re-run, unchanged tree" "$t_same" "$c_same"
row "re-run, one header touched ($reanalysed of $files TUs)" "$t_hdr" "$c_hdr"
printf '\nheader: %s\n' "${header#$PROJECT/}"
d_wall=$(echo "$t_full - $t_nodb" | bc -l)
d_cpu=$(echo "$c_full - $c_nodb" | bc -l)
printf 'store share of a full run: %.2f s wall (%s%%), %.2f s CPU (%s%%) against --no-db\n' \
    "$d_wall" "$(pct "$d_wall" "$t_full")" "$d_cpu" "$(pct "$d_cpu" "$c_full")"
printf 'measured inside tasklint (main thread, last full run): %s\n' "$store_line"
printf 'store size at the end (3 runs): %s KiB\n' "$dbsize"
