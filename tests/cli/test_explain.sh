#!/usr/bin/env bash
# --list-rules lists the four rules and, marked, the three pseudo-rules;
# --explain prints each one's documentation sections; an unknown rule is a
# usage error listing the valid ones; the pseudo-rules other than
# suppression cannot be disabled.
set -u
TL=$1
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

list=$("$TL" --list-rules) || fail "--list-rules exit $?"
ids=$(printf '%s\n' "$list" | grep -v '(pseudo-rule)' | awk '{print $1}')
expected="orphaned-spawn
unawaited-task
missing-timeout
blocking-in-coroutine"
[ "$ids" = "$expected" ] || fail "--list-rules ids: $ids"
pseudo=$(printf '%s\n' "$list" | grep '(pseudo-rule)' | awk '{print $1}')
[ "$pseudo" = "clang-diagnostic
suppression
analysis-limit" ] || fail "--list-rules pseudo-rules: $pseudo"
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

for id in $pseudo; do
    out=$("$TL" --explain "$id") || { fail "--explain $id exit $?"; continue; }
    grep -q "^# $id (" <<<"$out" && grep -qF "Pseudo-rule:" <<<"$out" &&
        grep -qF "## What it does" <<<"$out" && grep -qF "## Use instead" <<<"$out" ||
        fail "--explain $id: $out"
    echo "ok   --explain $id"
done
grep -qF "Can be disabled." <<<"$("$TL" --explain suppression)" || fail "--explain suppression: can be disabled"
for id in clang-diagnostic analysis-limit; do
    grep -qF "Cannot be disabled." <<<"$("$TL" --explain $id)" || fail "--explain $id: cannot be disabled"
    err=$("$TL" --disable "$id" x.c 2>&1 >/dev/null); rc=$?
    [ $rc = 2 ] && grep -qF "'$id' is a pseudo-rule that cannot be disabled" <<<"$err" ||
        fail "--disable $id: exit $rc: $err"
done
echo "ok   pseudo-rules: only suppression can be disabled"

err=$("$TL" --explain no-such-rule 2>&1 >/dev/null)
rc=$?
[ $rc = 2 ] || fail "--explain unknown: exit $rc"
for id in $ids; do grep -qF "$id" <<<"$err" || fail "--explain unknown does not list $id"; done
"$TL" --explain >/dev/null 2>&1; [ $? = 2 ] || fail "--explain without a rule"

[ "$fails" = 0 ] && echo "all passed" || { echo "$fails failed"; exit 1; }
