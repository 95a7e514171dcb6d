#!/usr/bin/env bash
# tasklint summarize / link: the whole program summarised in shards (as a CI
# matrix would) and linked reports exactly what one run over all the files
# reports - text, JSON and SARIF (SARIF's invocation, which names the
# command line and the times, aside); a file of another tasklint, a
# truncated or a damaged one is refused with a clear message, exit 2.
# Usage: bash test_summarize_link.sh TASKLINT SOURCE_DIR
set -u
TL=$1
SRC=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
ok() { echo "ok   $*"; }
export TASKLINT_DB=none
inc=(-I "$SRC/fixtures/include" -std=gnu11)

# a program over several directories of the fixtures: the cross-file chain,
# the command table, the slots
mkdir -p "$T/p"
cp -r "$SRC/fixtures/blocking-in-coroutine/uv_cross_file_chain" "$T/p/chain"
cp -r "$SRC/fixtures/blocking-in-coroutine/uv_command_table" "$T/p/table"
cp -r "$SRC/fixtures/orphaned-spawn/pthread_struct_slot_stop" "$T/p/slots"
cd "$T/p" || exit 1

for fmt in text json sarif; do
    # (link takes the TUs in path order, as one run over these paths does)
    "$TL" --format "$fmt" chain slots table -- "${inc[@]}" >"$T/one.$fmt" 2>"$T/one.$fmt.err"
    rc1=$?
    # three shards, not along the directories; table/net.c is in two of them
    # (a file summarised twice counts once)
    "$TL" summarize -o "$T/s1.tls" chain/loop.c table/net.c -- "${inc[@]}" 2>/dev/null || fail "summarize 1: exit $?"
    "$TL" summarize -o "$T/s2.tls" chain/cmd.c chain/storage.c slots/start.c -- "${inc[@]}" 2>/dev/null || fail "summarize 2"
    "$TL" summarize -o "$T/s3.tls" table slots/stop.c -- "${inc[@]}" 2>/dev/null || fail "summarize 3"
    "$TL" link --format "$fmt" "$T/s3.tls" "$T/s1.tls" "$T/s2.tls" >"$T/linked.$fmt" 2>"$T/linked.$fmt.err"
    rc2=$?
    [ $rc1 = 1 ] && [ $rc2 = 1 ] || fail "$fmt: exit $rc1 (one run) and $rc2 (link), expected 1 and 1"
    if [ "$fmt" != text ]; then
        # the invocation names the command line and the times: compare the rest
        python3 - "$fmt" "$T/one.$fmt" "$T/linked.$fmt" <<'PY' || fail "$fmt: link differs from one run"
import json, sys
fmt = sys.argv[1]
a, b = (json.load(open(p)) for p in sys.argv[2:4])
for d in (a, b):
    if fmt == "sarif":
        for run in d["runs"]:
            run.pop("invocations", None)
    else:
        for k in ("command_line", "start_time_utc", "end_time_utc"):
            d.get("tool", {}).pop(k, None)
            d.pop(k, None)
sys.exit(0 if a == b else 1)
PY
    else
        cmp -s "$T/one.$fmt" "$T/linked.$fmt" || { fail "$fmt: link differs from one run"; diff "$T/one.$fmt" "$T/linked.$fmt" | head -10; }
    fi
done
grep -q "call through 'proc' to save_command()" "$T/one.text" || fail "the program's findings are missing"
grep -q "'reaper' is never joined" "$T/linked.text" || fail "link: the slot finding needs the whole program"
ok "three shards linked report what one run reports (text, JSON, SARIF)"

# bad summary files: refused whole, exit 2, a message naming the file
printf 'not a summary' >"$T/junk.tls"
"$TL" link "$T/junk.tls" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "junk.tls: a damaged summary file" "$T/err" || { fail "junk: exit $rc"; cat "$T/err"; }
head -c 200 "$T/s1.tls" >"$T/trunc.tls"
"$TL" link "$T/trunc.tls" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "trunc.tls: a \(truncated\|damaged\) summary file" "$T/err" || { fail "truncated: exit $rc"; cat "$T/err"; }
python3 - "$T/s1.tls" "$T/flip.tls" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[len(b) // 2] ^= 0x40
open(sys.argv[2], "wb").write(b)
PY
"$TL" link "$T/flip.tls" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "flip.tls: a damaged summary file" "$T/err" || { fail "flipped byte: exit $rc"; cat "$T/err"; }
# another tasklint release: the header names it; forge one by editing it
python3 - "$T/s1.tls" "$T/other.tls" <<'PY'
import sys, struct
b = bytearray(open(sys.argv[1], "rb").read())
# the header frame: 16-byte frame header, 6-byte record header, then the tool string
n = struct.unpack_from("<I", b, 22)[0]
b[26] ^= 0x01                                 # change the tool's identity
# reseal: recompute the header frame's checksum like the tool does
payload_len = struct.unpack_from("<I", b, 8)[0]
p = bytes(b[16:16 + payload_len])
h = 14695981039346656037
i = 0
M = (1 << 64) - 1
while i + 8 <= len(p):
    h = ((h ^ int.from_bytes(p[i:i+8], "little")) * 1099511628211) & M
    i += 8
for c in p[i:]:
    h = ((h ^ c) * 1099511628211) & M
h = ((h ^ len(p)) * 1099511628211) & M
struct.pack_into("<I", b, 12, (h ^ (h >> 32)) & 0xffffffff)
open(sys.argv[2], "wb").write(b)
PY
"$TL" link "$T/other.tls" >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "other.tls: written by another tasklint" "$T/err" || { fail "another tasklint: exit $rc"; cat "$T/err"; }
"$TL" summarize chain >/dev/null 2>"$T/err"; rc=$?
[ $rc = 2 ] && grep -q "summarize: name the summary file with -o FILE" "$T/err" || fail "summarize without -o: exit $rc"
ok "bad summary files refused whole with a clear message, exit 2"

[ "$fails" = 0 ] && echo "all passed" || { echo "$fails failed"; exit 1; }
