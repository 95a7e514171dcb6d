#!/usr/bin/env bash
# Shared precompiled prefixes (docs/shared-headers.md): the findings are the
# same with and without them, fingerprint for fingerprint, on the demo
# project (a compile database, several TUs sharing demo.h) and on the
# fixtures; at -j 2 too; a header changed under a kept cache makes its PCH
# stale (rebuilt, findings still identical); --no-db leaves no cache behind;
# the cache holds only files named by hashes, in a directory named by a
# secret kept outside the tree; a cache directory planted as a link is refused.
set -u
TL=$1
SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
export TMPDIR="$T/tmp"
mkdir -p "$TMPDIR"
# the secret that names the cache next to a store lives here, outside the tree
export XDG_CACHE_HOME="$T/xdg"
# every prefix shared by one TU or more is precompiled: the small demo and
# single-file fixtures exercise the PCH path too
export TASKLINT_SHARED_HEADERS_MIN=1 TASKLINT_SHARED_HEADERS_MIN_BYTES=0

cp -r "$SRC/demo" "$T/demo"
inc=()
[ -d "$SRC/fixtures/include" ] && inc=(-I "$SRC/fixtures/include")

fingerprints() { grep -o '"fingerprint": *"[0-9a-f]*"' "$1" | sort; }

# $1: name; the rest: arguments of both runs
compare() {
    local name=$1
    shift
    "$TL" --format json -v "$@" >"$T/$name.shared" 2>"$T/$name.eshared"
    local rs=$?
    "$TL" --format json -v --no-shared-headers "$@" >"$T/$name.plain" 2>"$T/$name.eplain"
    local rp=$?
    [ $rs = $rp ] || fail "$name: exit $rs with shared headers, $rp without"
    fingerprints "$T/$name.shared" >"$T/$name.fs"
    fingerprints "$T/$name.plain" >"$T/$name.fp"
    [ -s "$T/$name.fp" ] || fail "$name: no findings to compare"
    cmp -s "$T/$name.fs" "$T/$name.fp" || { fail "$name: fingerprints differ"; diff "$T/$name.fs" "$T/$name.fp" | head; }
    # the findings themselves, minus the run's own metadata
    grep -v '"\(command_line\|start_time\|end_time\|started\|finished\|duration\)' "$T/$name.shared" >"$T/$name.js"
    grep -v '"\(command_line\|start_time\|end_time\|started\|finished\|duration\)' "$T/$name.plain" >"$T/$name.jp"
    cmp -s "$T/$name.js" "$T/$name.jp" || { fail "$name: reports differ"; diff "$T/$name.js" "$T/$name.jp" | head; }
    local n
    n=$(sed -n 's/^shared headers: \([0-9]*\) of.*/\1/p' "$T/$name.eshared")
    [ -n "$n" ] && [ "$n" -gt 0 ] || fail "$name: no file was parsed against a shared prefix ($(grep 'shared headers' "$T/$name.eshared"))"
    grep -q '^shared headers' "$T/$name.eplain" && fail "$name: --no-shared-headers still shared"
    echo "ok   $name: $(wc -l <"$T/$name.fp") fingerprints identical, $n files parsed against a prefix"
}

compare demo --no-db -p "$T/demo/build"
compare demo-j2 --no-db -j 2 -p "$T/demo/build"
[ -d "$SRC/fixtures" ] && compare fixtures --no-db --no-config "$SRC/fixtures" -- "${inc[@]}" -std=gnu11

# summarize (phase 1 into a file, one shard of a CI matrix) shares prefixes
# within its run, in a private cache: the summary file is byte-identical
# with and without, and so are the findings `link` makes of it
"$TL" summarize -v -j 2 -o "$T/sum.shared" -p "$T/demo/build" 2>"$T/sum.eshared" ||
    fail "summarize with shared headers failed: $(cat "$T/sum.eshared")"
"$TL" summarize --no-shared-headers -j 2 -o "$T/sum.plain" -p "$T/demo/build" 2>/dev/null ||
    fail "summarize without shared headers failed"
n=$(sed -n 's/^shared headers: \([0-9]*\) of.*/\1/p' "$T/sum.eshared")
[ -n "$n" ] && [ "$n" -gt 0 ] || fail "summarize: no file was parsed against a shared prefix"
cmp -s "$T/sum.shared" "$T/sum.plain" || fail "summarize: the summary files differ"
"$TL" link --no-db "$T/sum.shared" >"$T/link.shared" 2>/dev/null
"$TL" link --no-db "$T/sum.plain" >"$T/link.plain" 2>/dev/null
[ -s "$T/link.shared" ] && cmp -s "$T/link.shared" "$T/link.plain" || fail "summarize: link's findings differ or are empty"
echo "ok   summarize: $n files parsed against a prefix, summary files byte-identical"

# --no-db and summarize: the private cache is gone afterwards
left=$(find "$TMPDIR" -mindepth 1 | head -3)
[ -z "$left" ] || fail "--no-db left files behind: $left"

# a kept cache next to the store: reused, then stale after a header change
db="$T/store/findings.db"
mkdir -p "$T/store"
"$TL" -v --db "$db" -p "$T/demo/build" >"$T/s1" 2>"$T/e1"
grep -q 'shared headers: [1-9][0-9]* of .* [1-9][0-9]* prefixes built' "$T/e1" || fail "first run built no prefix: $(grep 'shared headers' "$T/e1")"
secret=$(cat "$XDG_CACHE_HOME/tasklint/pch-secret" 2>/dev/null)
[ ${#secret} = 32 ] || fail "no secret in the user's cache directory"
[ "$(stat -c %a "$XDG_CACHE_HOME/tasklint/pch-secret" 2>/dev/null)" = 600 ] || fail "the secret is readable by others"
cache="$db.pch/$secret"
[ -d "$cache" ] || fail "no cache next to the store"
[ "$(ls -A "$db.pch")" = "$secret" ] || fail "other files next to the cache: $(ls -A "$db.pch")"
bad=$(ls -A "$cache" | grep -Ev '^[0-9a-f]{64}\.(h|pch|meta|fail)$')
[ -z "$bad" ] || fail "cache holds files not named by hashes: $bad"
echo "/* changed */" >>"$T/demo/src/demo.h"
"$TL" -v --db "$db" -p "$T/demo/build" >"$T/s2" 2>"$T/e2"
grep -q '[1-9][0-9]* rebuilt because a header changed' "$T/e2" || fail "changed header: no stale prefix rebuilt: $(grep 'shared headers' "$T/e2")"
"$TL" --no-db --no-shared-headers -p "$T/demo/build" >"$T/s3" 2>/dev/null
cmp -s "$T/s2" "$T/s3" || { fail "after the header change the findings differ"; diff "$T/s2" "$T/s3" | head; }
echo "ok   store: cache kept next to it, stale prefix rebuilt after a header change"

# a store named relative to the current directory: its cache is used as well
# (clang resolves a relative name in each TU's directory, not in ours)
(cd "$T" && "$TL" -v --db rel/findings.db -p "$T/demo/build" >"$T/s5" 2>"$T/e5")
(cd "$T" && "$TL" -v --db "$T/abs/findings.db" -p "$T/demo/build" >"$T/s6" 2>"$T/e6")
stats() { grep '^shared headers' "$1" | sed 's/; cache .*//'; }
grep -q 'shared headers: [1-9][0-9]* of' "$T/e5" || fail "relative --db: no prefix used: $(stats "$T/e5")"
[ "$(stats "$T/e5")" = "$(stats "$T/e6")" ] ||
    fail "relative --db: '$(stats "$T/e5")', with an absolute one: '$(stats "$T/e6")'"
cmp -s "$T/s5" "$T/s6" || fail "relative --db: the findings differ"
echo "ok   a store named by a relative path keeps a working cache"

# a checkout that ships the cache directory as a link elsewhere: refused,
# nothing is written there, the run uses a private cache and says why
mkdir -p "$T/planted/.tasklint" "$T/elsewhere"
ln -s "$T/elsewhere" "$T/planted/.tasklint/findings.db.pch"
"$TL" -v --db "$T/planted/.tasklint/findings.db" -p "$T/demo/build" >"$T/s4" 2>"$T/e4"
[ -z "$(ls -A "$T/elsewhere")" ] || fail "wrote through a planted link: $(ls -A "$T/elsewhere")"
grep -q 'next to the store was refused.*the cache was private' "$T/e4" || fail "planted link: no refusal said: $(grep 'shared headers' "$T/e4")"
cmp -s "$T/s4" "$T/s2" || fail "planted link: the findings differ"
echo "ok   a cache directory planted as a link is refused, nothing written through it"

[ "$fails" = 0 ] && echo "all passed" || { echo "$fails failed"; exit 1; }
