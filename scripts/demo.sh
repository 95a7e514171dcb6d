#!/usr/bin/env bash
# demo.sh - build tasklint and run it on demo/, a small project with one bug
# per rule (orphaned-spawn, unawaited-task, missing-timeout,
# blocking-in-coroutine).  The compile database demo/build/compile_commands.json
# uses relative paths, so it works wherever the checkout is.
#
# tasklint exits 1 because it finds something - that is the point of the
# demo, so this script exits 0 when the four findings are there.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null

echo "\$ build/tasklint -p demo/build demo"
rc=0
build/tasklint -p demo/build demo || rc=$?
echo
if [ "$rc" = 1 ]; then
    echo "demo.sh: tasklint exited 1 (findings, as expected); try: build/tasklint --explain orphaned-spawn"
    exit 0
fi
echo "demo.sh: unexpected exit status $rc from tasklint" >&2
exit 1
