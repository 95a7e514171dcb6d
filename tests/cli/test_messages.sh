#!/usr/bin/env bash
# Messages point at the right thing (issue 12), in text, JSON and SARIF:
# - one blocking site reached several times in one callback is one finding
#   whose notes give the blocking call and each other call (file and line);
# - each step of a cross-file blocking chain carries its own file and line;
# - unawaited-task names the branch whose path skips the wait, and the start
#   on that path (not another start earlier or later in the function);
# - a function of the program called through a project macro is named by the
#   function, with the macro, at the call and at each step of the chain;
# - so is a library function called through a project macro (redis_fsync()
#   for fdatasync()), in all four rules; a library's own macro (go()) keeps
#   its name;
# - a wait inside assert() is named by the waiting call, not by assert, and
#   reported where that call is written;
# - a leak on the other arm of `return ok ? h : 0` is not "when returning".
set -u
TL=$1
SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
command -v python3 >/dev/null || { echo "FAIL: needs python3 (TASKLINT_TEST_DEPS=1 scripts/setup.sh)"; exit 1; }
FX=$SRC/fixtures
ARGS=(-- -I "$FX/include")

# one root cause, one finding
f=$FX/blocking-in-coroutine/libuv_one_root_cause.c
NO_COLOR=1 "$TL" --no-config --no-db "$f" "${ARGS[@]}" >"$T/text" 2>&1
[ "$(grep -c "call to read_line() blocks inside event-loop callback 'on_tick'" "$T/text")" = 1 ] \
    || fail "dedup: not exactly one finding for on_tick"
for l in 47 48 49; do
    grep -q "libuv_one_root_cause.c:$l:5: note: .* here reaches the same blocking call" "$T/text" \
        || fail "dedup: no note at line $l"
done
grep -q "libuv_one_root_cause.c:25:10: note: fread() blocks here, in read_line()" "$T/text" \
    || fail "dedup: the blocking call's note is missing"
"$TL" --no-config --no-db --format json "$f" "${ARGS[@]}" >"$T/json" 2>/dev/null
python3 - "$T/json" <<'PY' || fail "dedup: JSON"
import json, sys
d = json.load(open(sys.argv[1]))
tick = [f for f in d["findings"] if f["function"] == "on_tick"]
assert len(tick) == 1, tick
lines = sorted(n["line"] for n in tick[0]["notes"])
assert lines == [25, 47, 48, 49], lines
assert all(n["file"].endswith("libuv_one_root_cause.c") for n in tick[0]["notes"])
PY
"$TL" --no-config --no-db --format sarif "$f" "${ARGS[@]}" >"$T/sarif" 2>/dev/null
python3 - "$T/sarif" <<'PY' || fail "dedup: SARIF relatedLocations"
import json, sys
d = json.load(open(sys.argv[1]))
res = [r for r in d["runs"][0]["results"] if "'on_tick'" in r["message"]["text"]]
assert len(res) == 1, len(res)
rel = sorted(x["physicalLocation"]["region"]["startLine"] for x in res[0]["relatedLocations"])
assert rel == [25, 47, 48, 49], rel
assert res[0].get("codeFlows"), "no codeFlows"
PY

# a cross-file chain: every step in its own file
d=$FX/blocking-in-coroutine/uv_cross_file_chain
"$TL" --no-config --no-db --format json "$d"/*.c "${ARGS[@]}" >"$T/json" 2>/dev/null
python3 - "$T/json" <<'PY' || fail "chain: steps without their file and line"
import json, sys, os
d = json.load(open(sys.argv[1]))
f = [f for f in d["findings"] if f["rule"] == "blocking-in-coroutine"][0]
steps = [(os.path.basename(n["file"]), n["line"]) for n in f["notes"]]
assert ("cmd.c", 8) in steps and ("storage.c", 9) in steps, steps
PY

# unawaited-task names the path
NO_COLOR=1 "$TL" --no-config --no-db "$FX/unawaited-task/libdill_correlated_wait.c" "${ARGS[@]}" >"$T/text" 2>&1
grep -q "on the path where the condition at line [0-9]* is false" "$T/text" \
    || fail "unawaited-task: no path in the message"

# ... and the start on that path: two submits on two branches
f=$FX/unawaited-task/liburing_path_start.c
NO_COLOR=1 "$TL" --no-config --no-db --disable missing-timeout "$f" "${ARGS[@]}" >"$T/text" 2>&1
grep -q "liburing_path_start.c:60:5: warning: .*started with io_uring_submit() at line 48 .*condition at line 49 is true" "$T/text" \
    || fail "unawaited-task: not the start on the path"
grep -q "liburing_path_start.c:48:9: note: work on 'ring' started here" "$T/text" \
    || fail "unawaited-task: the start's note is not on the path"
"$TL" --no-config --no-db --disable missing-timeout --format sarif "$f" "${ARGS[@]}" >"$T/sarif" 2>/dev/null
python3 - "$T/sarif" <<'PY' || fail "unawaited-task: SARIF start"
import json, sys
d = json.load(open(sys.argv[1]))
res = [r for r in d["runs"][0]["results"] if r["locations"][0]["physicalLocation"]["region"]["startLine"] == 60]
assert len(res) == 1, len(res)
rel = [x["physicalLocation"]["region"]["startLine"] for x in res[0]["relatedLocations"]]
assert rel == [48], rel
flow = [l["location"]["physicalLocation"]["region"]["startLine"]
        for l in res[0]["codeFlows"][0]["threadFlows"][0]["locations"]]
assert flow == [48, 60], flow  # the path as it runs: the start, then the teardown
PY

# a chain through the project's macros: the functions, with the macros
f=$FX/blocking-in-coroutine/libuv_chain_through_macro.c
NO_COLOR=1 "$TL" --no-config --no-db "$f" "${ARGS[@]}" >"$T/text" 2>&1
grep -q "warning: call to flush_state() (expanded from FLUSH()) blocks" "$T/text" || fail "macro chain: the call"
grep -q "libuv_chain_through_macro.c:38:5: note: flush_state() calls log_append() (expanded from APP_LOG()) here" "$T/text" \
    || fail "macro chain: the step's note"
grep -q "APP_LOG() here\|calls FLUSH()" "$T/text" && fail "macro chain: a macro named as the function called"
"$TL" --no-config --no-db --format json "$f" "${ARGS[@]}" >"$T/json" 2>/dev/null
python3 - "$T/json" <<'PY' || fail "macro chain: JSON notes"
import json, sys
d = json.load(open(sys.argv[1]))
f = [f for f in d["findings"] if f["rule"] == "blocking-in-coroutine"]
assert len(f) == 1, f
steps = [(n["line"], n["message"]) for n in f[0]["notes"]]
assert steps == [(38, "flush_state() calls log_append() (expanded from APP_LOG()) here"),
                 (25, "fgets() blocks here, in log_append()")], steps
PY
"$TL" --no-config --no-db --format sarif "$f" "${ARGS[@]}" >"$T/sarif" 2>/dev/null
python3 - "$T/sarif" <<'PY' || fail "macro chain: SARIF codeFlows"
import json, sys
d = json.load(open(sys.argv[1]))
res = d["runs"][0]["results"]
assert len(res) == 1, len(res)
flow = [l["location"]["physicalLocation"]["region"]["startLine"]
        for l in res[0]["codeFlows"][0]["threadFlows"][0]["locations"]]
assert flow == [47, 38, 25], flow
rel = [x["physicalLocation"]["region"]["startLine"] for x in res[0]["relatedLocations"]]
assert rel == [38, 25], rel
PY

# a library call through the project's macro: the function, with the macro
f=$FX/blocking-in-coroutine/libuv_library_through_macro.c
NO_COLOR=1 "$TL" --no-config --no-db "$f" "${ARGS[@]}" >"$T/text" 2>&1
grep -q "libuv_library_through_macro.c:21:5: warning: blocking call fdatasync() (expanded from app_fsync()) inside" "$T/text" \
    || fail "library macro: the direct call"
grep -q "sync_log() -> fdatasync() (expanded from app_fsync()); use uv_fs_fdatasync()" "$T/text" \
    || fail "library macro: the chain and its advice"
grep -q "libuv_library_through_macro.c:26:5: note: fdatasync() (expanded from app_fsync()) blocks here, in sync_log()" \
    "$T/text" || fail "library macro: the chain's note"
grep -q "app_fsync() blocks\|-> app_fsync()" "$T/text" && fail "library macro: the macro named as the call"
grep -q "blocking call fsync() inside" "$T/text" || fail "library macro: a macro around the call named it twice"
"$TL" --no-config --no-db --format json "$f" "${ARGS[@]}" >"$T/json" 2>/dev/null
python3 - "$T/json" <<'PY' || fail "library macro: JSON"
import json, sys
d = json.load(open(sys.argv[1]))
f = [f for f in d["findings"] if f["line"] == 33]
assert len(f) == 1, f
assert [(n["line"], n["message"]) for n in f[0]["notes"]] == \
    [(26, "fdatasync() (expanded from app_fsync()) blocks here, in sync_log()")], f[0]["notes"]
PY
for rf in "missing-timeout/posix_library_through_macro.c:poll() (expanded from WAIT_IN()) waits forever" \
          "orphaned-spawn/pthread_library_through_macro.c:spawned by pthread_create() (expanded from START_THREAD())" \
          "unawaited-task/liburing_library_through_macro.c:torn down with io_uring_queue_exit() (expanded from RING_CLOSE())"; do
    NO_COLOR=1 "$TL" --no-config --no-db "$FX/${rf%%:*}" "${ARGS[@]}" >"$T/text" 2>&1
    grep -qF "${rf#*:}" "$T/text" || fail "library macro: ${rf%%:*}"
done
# a library's own macro (libdill's go(), in its header) keeps its name
NO_COLOR=1 "$TL" --no-config --no-db "$FX/orphaned-spawn/libdill_discarded_go.c" "${ARGS[@]}" >"$T/text" 2>&1
grep -q "coroutine handle from go() is discarded" "$T/text" || fail "library macro: go() renamed"
grep -q "expanded from go()" "$T/text" && fail "library macro: go() taken for a project macro"

# the waiting call, not the macro around it
NO_COLOR=1 "$TL" --no-config --no-db "$FX/missing-timeout/libdill_wait_in_assert.c" "${ARGS[@]}" >"$T/text" 2>&1
grep -q "assert() waits" "$T/text" && fail "assert named instead of the wait"
grep -q "chrecv() waits forever" "$T/text" || fail "chrecv not named"
# ... and reported where chrecv is written inside assert( and CHECK(
grep -q "libdill_wait_in_assert.c:19:12: warning: chrecv()" "$T/text" || fail "assert: not at chrecv's column"
grep -q "libdill_wait_in_assert.c:27:11: warning: chrecv()" "$T/text" || fail "CHECK: not at chrecv's column"

# a conditional return: the leak is on the other arm
NO_COLOR=1 "$TL" --no-config --no-db "$FX/orphaned-spawn/libdill_correlated_bundle.c" "${ARGS[@]}" >"$T/text" 2>&1
grep -q "leaks at line [0-9]*, where the conditional expression returns another value" "$T/text" \
    || fail "conditional return: wording"
grep -q "leaks when returning at line 88" "$T/text" && fail "conditional return: 'when returning' on the line that returns it"

[ $fails = 0 ] && echo "OK messages"
exit $((fails > 0))
