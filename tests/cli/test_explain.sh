#!/usr/bin/env bash
# --list-rules lists the four rules; --explain prints each rule's documentation
# sections; an unknown rule is a usage error listing the valid ones.
set -u
TL=$1
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

list=$("$TL" --list-rules) || fail "--list-rules exit $?"
ids=$(printf '%s\n' "$list" | awk '{print $1}')
expected="orphaned-spawn
unawaited-task
missing-timeout
blocking-in-coroutine"
[ "$ids" = "$expected" ] || fail "--list-rules ids: $ids"
printf '%s\n' "$list" | while read -r id sev summary; do
    case "$sev" in warning|error|note) ;; *) echo "FAIL $id: severity '$sev'"; exit 1 ;; esac
    [ -n "$summary" ] || { echo "FAIL $id: no summary"; exit 1; }
done || fails=$((fails + 1))

for id in $ids; do
    out=$("$TL" --explain "$id") || { fail "--explain $id exit $?"; continue; }
    for section in "## What it does" "## Why is this bad?" "## Example" "## Use instead"; do
        grep -qF "$section" <<<"$out" || fail "--explain $id lacks '$section'"
    done
    grep -qF "$id" <<<"$out" || fail "--explain $id does not name the rule"
    # --explain=ID works too
    [ "$("$TL" --explain="$id")" = "$out" ] || fail "--explain=$id differs"
    echo "ok   --explain $id"
done

err=$("$TL" --explain no-such-rule 2>&1 >/dev/null)
rc=$?
[ $rc = 2 ] || fail "--explain unknown: exit $rc"
for id in $ids; do grep -qF "$id" <<<"$err" || fail "--explain unknown does not list $id"; done
"$TL" --explain >/dev/null 2>&1; [ $? = 2 ] || fail "--explain without a rule"

[ "$fails" = 0 ] && echo "all passed" || { echo "$fails failed"; exit 1; }
