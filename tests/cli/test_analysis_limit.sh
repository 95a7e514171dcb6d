#!/usr/bin/env bash
# An internal limit of the analysis never makes a finding disappear
# silently: the function that was not fully checked gets an analysis-limit
# finding (warning, exit 1, not suppressible; a SARIF notification, a JSON
# finding), and raised limits keep findings that used to vanish.  Limits:
# the solver's budget, orphaned-spawn's handles, the front end's expression
# depth.
set -u
TL=$1
SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
command -v python3 >/dev/null || { echo "FAIL: needs python3 (TASKLINT_TEST_DEPS=1 scripts/setup.sh)"; exit 1; }
gen() { python3 "$SRC/bench/gen_hostile.py" "$@"; }
ARGS=(-- -I "$SRC/fixtures/include" -std=gnu11)

# 150 nested loops around poll(fds, 1, -1): the solver used to stop at its
# visit cap and the finding vanished with exit 0
gen deepnest 150 "$T/deep150.c"
"$TL" --no-config -q "$T/deep150.c" "${ARGS[@]}" >"$T/out" 2>&1
rc=$?
[ $rc = 1 ] || fail "deep150: exit $rc, expected 1"
grep -q "poll() waits forever.*\[missing-timeout\]" "$T/out" || fail "deep150: the forever poll is not reported"
grep -q "analysis-limit" "$T/out" && fail "deep150: needs no limit any more"

# 400 nested loops: constant propagation runs out of budget and says so
gen deepnest 400 "$T/deep.c"
"$TL" --no-config -q "$T/deep.c" "${ARGS[@]}" >"$T/out" 2>&1
rc=$?
[ $rc = 1 ] || fail "deep400: exit $rc, expected 1"
grep -q "deep.c:[0-9]*:5: warning: 'deep' was not fully checked: constant propagation stopped at its budget.*findings in it may be missing \[analysis-limit\]" "$T/out" \
    || { fail "deep400: no analysis-limit finding"; cat "$T/out"; }
"$TL" --no-config --format json "$T/deep.c" "${ARGS[@]}" >"$T/json" 2>/dev/null
grep -q '"rule": "analysis-limit"' "$T/json" || fail "json: no analysis-limit finding"
grep -q '"function": "deep"' "$T/json" || fail "json: no function"
grep -q '"analysis-limit": 1' "$T/json" || fail "json: by_rule does not count it"
"$TL" --no-config --format sarif "$T/deep.c" "${ARGS[@]}" >"$T/sarif" 2>/dev/null
python3 - "$T/sarif" <<'PY' || fail "sarif: not a notification of analysis-limit"
import json, sys
run = json.load(open(sys.argv[1]))["runs"][0]
assert not any(r["ruleId"] == "analysis-limit" for r in run["results"])
notes = [n for n in run["invocations"][0]["toolExecutionNotifications"]
         if n.get("associatedRule", {}).get("id") == "analysis-limit"]
assert len(notes) == 1 and notes[0]["level"] == "warning", notes
assert "'deep' was not fully checked" in notes[0]["message"]["text"]
rules = run["tool"]["driver"]["rules"]
assert rules[notes[0]["associatedRule"]["index"]]["id"] == "analysis-limit"
PY

# not suppressible: the comment is reported, the finding stays
sed 's|^int deep(|// tasklint-ignore-next-line(analysis-limit): too deep\nint deep(|' "$T/deep.c" >"$T/deep_sup.c"
"$TL" --no-config -q "$T/deep_sup.c" "${ARGS[@]}" >"$T/out" 2>&1
grep -q "analysis-limit findings cannot be suppressed \[suppression\]" "$T/out" || fail "suppression: not refused"
grep -q "was not fully checked.*\[analysis-limit\]" "$T/out" || fail "suppression: the finding went away"

# exempting the function stops checking it knowingly: nothing to report
mkdir "$T/ex"
cp "$T/deep.c" "$T/ex/deep.c"
printf 'exempt: [deep]\n' >"$T/ex/.tasklint.yaml"
"$TL" -q "$T/ex/deep.c" "${ARGS[@]}" >"$T/out" 2>&1
rc=$?
[ $rc = 0 ] || { fail "exempt: exit $rc, expected 0"; cat "$T/out"; }

# orphaned-spawn follows 32 handles per function: a switch with 50 spawning
# cases says the others were not followed, and where they start
gen switch 200 "$T/switch.c"
"$TL" --no-config -q "$T/switch.c" "${ARGS[@]}" >"$T/out" 2>&1
rc=$?
[ $rc = 1 ] || fail "switch: exit $rc, expected 1"
grep -q "'dispatch' was not fully checked: orphaned-spawn follows at most 32 spawned handles per function and this one has 50 (the handles spawned from line [0-9]* on were not followed)" "$T/out" \
    || { fail "switch: no analysis-limit finding"; cat "$T/out"; }

# the front end lowers expressions down to 1000 levels: a generated sum of
# 50,000 terms is analysed (it used to crash the front end), says where it
# was cut, and the forever poll after it is still found
python3 -c 'print("#include <poll.h>\nint sum(struct pollfd *p) {\n    int x = 1" + " + 1" * 49999
                  + ";\n    return poll(p, 1, -1) + x;\n}")' >"$T/sum.c"
"$TL" --no-config -q "$T/sum.c" "${ARGS[@]}" >"$T/out" 2>&1
rc=$?
[ $rc = 1 ] || fail "sum: exit $rc, expected 1"
grep -q "sum.c:2:5: warning: 'sum' was not fully checked: an expression nests more than 1000 levels deep.*\[analysis-limit\]" "$T/out" \
    || { fail "sum: no analysis-limit finding"; cat "$T/out"; }
grep -q "sum.c:4:12: warning: poll() waits forever.*\[missing-timeout\]" "$T/out" || fail "sum: the forever poll is not reported"
grep -q "crashed" "$T/out" && fail "sum: the front end crashed"

[ $fails = 0 ] && echo "OK analysis limits"
exit $((fails > 0))
