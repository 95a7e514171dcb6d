#!/usr/bin/env bash
# SARIF from a git checkout names where the code comes from
# (runs[0].versionControlProvenance: repositoryUri from `git remote get-url
# origin` without the credentials a CI clone's remote may hold, revisionId =
# HEAD, branch); without a remote the work tree's file URI; outside git none.
# --include-suppressed writes suppressed findings with suppressions
# [{kind: inSource, justification: the comment's reason}]; without it they
# are left out.
# Usage: bash test_sarif_provenance.sh TASKLINT SOURCE_DIR
set -u
TL=$1
command -v git >/dev/null || { echo "skip: no git"; exit 77; }
command -v python3 >/dev/null || { echo "skip: no python3"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
ok() { echo "ok   $*"; }
g() { git -C "$T/repo" -c user.email=t@example.com -c user.name=t -c init.defaultBranch=trunk "$@"; }

mkdir -p "$T/repo/src"
cat >"$T/repo/src/a.c" <<'C'
#include <pthread.h>
static void *run(void *arg) { return arg; }
void start(void) { pthread_t t; pthread_create(&t, NULL, run, NULL); }
void quiet(void) { pthread_t t; pthread_create(&t, NULL, run, NULL); } // tasklint-ignore(orphaned-spawn): the [pool] reaps it
C
g init -q && g add -A && g commit -qm init || { fail "git init"; exit 1; }
g remote add origin "https://x-access-token:SECRET-TOKEN@github.com/o/r.git"
head=$(g rev-parse HEAD)
cd "$T/repo" || exit 1

"$TL" --no-db --format sarif --output "$T/a.sarif" src 2>/dev/null
grep -q "SECRET-TOKEN" "$T/a.sarif" && fail "the remote's credentials are in the SARIF"
python3 - "$T/a.sarif" "$head" <<'PY' && ok "versionControlProvenance from git; suppressed result left out" || fail "provenance"
import json, sys
run = json.load(open(sys.argv[1]))["runs"][0]
[v] = run["versionControlProvenance"]
assert v["repositoryUri"] == "https://github.com/o/r.git", v
assert v["revisionId"] == sys.argv[2], v
assert v["branch"] == "trunk", v
assert v["mappedTo"] == {"uriBaseId": "%SRCROOT%"}, v
assert len(run["results"]) == 1 and "suppressions" not in run["results"][0]
PY

"$TL" --no-db --format sarif --include-suppressed --output "$T/b.sarif" src 2>/dev/null
python3 - "$T/b.sarif" <<'PY' && ok "--include-suppressed: the comment's reason is the justification" || fail "--include-suppressed"
import json, sys
results = json.load(open(sys.argv[1]))["runs"][0]["results"]
assert len(results) == 2, results
sup = [r for r in results if "suppressions" in r]
assert len(sup) == 1
assert sup[0]["suppressions"] == [{"kind": "inSource", "justification": "the [pool] reaps it"}], sup
assert sup[0]["locations"][0]["physicalLocation"]["region"]["startLine"] == 4
PY

# no remote: the work tree as a file URI; a detached HEAD: no branch
g remote remove origin
g checkout -q --detach
"$TL" --no-db --format sarif --output "$T/c.sarif" src 2>/dev/null
python3 - "$T/c.sarif" "$head" "$(cd "$T/repo" && pwd -P)" <<'PY' && ok "no remote, detached HEAD" || fail "no remote"
import json, sys
[v] = json.load(open(sys.argv[1]))["runs"][0]["versionControlProvenance"]
assert v["repositoryUri"] == "file://" + sys.argv[3] + "/", v
assert v["revisionId"] == sys.argv[2] and "branch" not in v, v
PY

# not a git checkout: none
rm -rf "$T/repo/.git"
"$TL" --no-db --format sarif --output "$T/d.sarif" src 2>/dev/null
grep -q versionControlProvenance "$T/d.sarif" && fail "versionControlProvenance outside git" || ok "outside git: none"

[ $fails = 0 ] || exit 1
