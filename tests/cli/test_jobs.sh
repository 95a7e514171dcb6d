#!/usr/bin/env bash
# -j 1 and -j 2 (and -j 8) give byte-identical output, in input order.
set -u
TL=$1
SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

args=("$SRC/demo/src")
[ -d "$SRC/fixtures" ] && args+=("$SRC/fixtures")
inc=()
[ -d "$SRC/fixtures/include" ] && inc=(-I "$SRC/fixtures/include")

"$TL" -j 1 "${args[@]}" -- "${inc[@]}" -std=gnu11 >"$T/j1" 2>"$T/e1"
rc1=$?
"$TL" -j 2 "${args[@]}" -- "${inc[@]}" -std=gnu11 >"$T/j2" 2>"$T/e2"
rc2=$?
"$TL" --jobs=8 "${args[@]}" -- "${inc[@]}" -std=gnu11 >"$T/j8" 2>"$T/e8"
rc8=$?
[ $rc1 = 1 ] || fail "-j 1 exit $rc1"
[ $rc1 = $rc2 ] && [ $rc1 = $rc8 ] || fail "exit codes differ: $rc1 $rc2 $rc8"
[ -s "$T/j1" ] || fail "no output"
cmp -s "$T/j1" "$T/j2" || { fail "-j 1 and -j 2 differ"; diff "$T/j1" "$T/j2" | head -20; }
cmp -s "$T/j1" "$T/j8" || { fail "-j 1 and -j 8 differ"; diff "$T/j1" "$T/j8" | head -20; }
cmp -s "$T/e1" "$T/e2" || fail "summaries differ"
# files come out in sorted input order
# (the findings' own lines: their notes may point into other files)
grep -E '^[^:]*\.c:[0-9]+:[0-9]+: (warning|error):' "$T/j1" | grep -o '^[^:]*\.c:' | uniq >"$T/order"
sort -c "$T/order" 2>/dev/null || { LC_ALL=C sort -c "$T/order" || fail "output not in sorted file order"; }
echo "ok   $(wc -l <"$T/j1") lines identical for -j 1/2/8"
[ "$fails" = 0 ] && echo "all passed" || { echo "$fails failed"; exit 1; }
