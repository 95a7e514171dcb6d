#!/usr/bin/env bash
# --format github and --format codeclimate have the documented shape
# (docs/ci-formats.md): one GitHub workflow command per finding with paths
# relative to the git top level, GitHub's escaping of properties (% CR LF : ,)
# and of the message (% CR LF), no raw control character even for a hostile
# file name; a GitLab Code Quality array that python3's json parses, with
# description, check_name, fingerprint, severity and location.{path,lines.begin}.
# Suppressed findings appear in neither.
# Usage: bash test_ci_formats.sh TASKLINT SOURCE_DIR
set -u
TL=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }
ok() { echo "ok   $*"; }

mkdir -p "$T/repo/.git" "$T/repo/proj/src"
# a hostile name: ESC, CR, a comma, a colon and a percent sign
name=$'ev\033[31mil,a:b%0A\r.c'
spawn='#include <pthread.h>
static void *run(void *arg) { return arg; }'
printf '%s\nvoid start(void) { pthread_t t; pthread_create(&t, NULL, run, NULL); }\n' "$spawn" \
    >"$T/repo/proj/src/$name"
printf '%s\nvoid quiet(void) { pthread_t t; pthread_create(&t, NULL, run, NULL); } // tasklint-ignore(orphaned-spawn): test\n' \
    "$spawn" >"$T/repo/proj/src/suppressed.c"
: >"$T/repo/proj/.tasklint.yaml"
cd "$T/repo/proj" || exit 1

# ---- github ----
"$TL" --no-db --format github src >"$T/gh" 2>"$T/gh.err"
rc=$?
[ $rc = 1 ] || { fail "github: exit $rc, expected 1"; cat "$T/gh.err"; }
if LC_ALL=C grep -q $'[\001-\010\013-\037\177]' "$T/gh"; then
    fail "github: a raw control character in the output"; cat -A "$T/gh"
else ok "github: no raw control character"; fi
[ "$(wc -l <"$T/gh")" = 1 ] || { fail "github: expected exactly one line (the suppressed finding left out)"; cat -A "$T/gh"; }
# path relative to the git top level, escaped as a property value
want='::warning file=proj/src/ev\x1b[31mil%2Ca%3Ab%250A%0D.c,line=3,col=33,endColumn=47,title=orphaned-spawn::'
if [ "$(head -c ${#want} "$T/gh")" = "$want" ]; then ok "github: command, path escaping, position, title"
else fail "github: unexpected start of line"; echo "want: $want"; cat -A "$T/gh"; fi
grep -q "::thread 't' spawned by pthread_create() is never joined or detached%0Anote: proj/src/ev\\\\x1b\[31mil,a:b%250A%0D.c:3:70: " "$T/gh" &&
    ok "github: message escaping (, and : kept, % CR LF encoded), note on its own line" ||
    { fail "github: message escaping"; cat -A "$T/gh"; }

# a message with % and a newline from a clang diagnostic, severity error
printf '#error "100%% done:\\n, really"\n' >"$T/repo/proj/src/diag.c"
"$TL" --no-db --format github src/diag.c >"$T/gh2" 2>/dev/null
grep -q '^::error file=proj/src/diag.c,line=1,col=2,endColumn=7,title=clang-diagnostic::.*100%25 done:\\n, really' "$T/gh2" &&
    ok "github: an error is ::error, % in the message is %25" || { fail "github: error line"; cat -A "$T/gh2"; }
rm "$T/repo/proj/src/diag.c"

# ---- codeclimate ----
"$TL" --no-db --format codeclimate src >"$T/cc.json" 2>"$T/cc.err"
rc=$?
[ $rc = 1 ] || { fail "codeclimate: exit $rc, expected 1"; cat "$T/cc.err"; }
if python3 - "$T/cc.json" "$name" <<'PY'
import json, sys
issues = json.load(open(sys.argv[1], encoding="utf-8"))
name = sys.argv[2]
assert isinstance(issues, list) and len(issues) == 1, issues
i = issues[0]
for key in ("description", "check_name", "fingerprint", "severity", "location"):
    assert key in i, key
assert i["type"] == "issue"
assert i["check_name"] == "orphaned-spawn"
assert i["severity"] in ("info", "minor", "major", "critical", "blocker")
assert i["severity"] == "major"
assert isinstance(i["fingerprint"], str) and len(i["fingerprint"]) >= 16
assert i["location"]["path"] == "proj/src/" + name, i["location"]["path"]
assert i["location"]["lines"]["begin"] == 3
assert "never joined" in i["description"]
PY
then ok "codeclimate: the documented shape"; else fail "codeclimate: shape"; cat "$T/cc.json"; fi
if LC_ALL=C grep -q $'[\001-\010\013-\037\177]' "$T/cc.json"; then fail "codeclimate: raw control character"; fi

# a finding without a fingerprint (a clang diagnostic) still gets a unique one
printf '#error "one"\n#error "two"\n' >"$T/repo/proj/src/diag.c"
"$TL" --no-db --format codeclimate src/diag.c >"$T/cc2.json" 2>/dev/null
python3 - "$T/cc2.json" <<'PY' && ok "codeclimate: errors are critical, fingerprints unique" || { fail "codeclimate: diagnostics"; cat "$T/cc2.json"; }
import json, sys
issues = json.load(open(sys.argv[1]))
assert len(issues) == 2, issues
assert all(i["severity"] == "critical" and i["check_name"] == "clang-diagnostic" for i in issues)
assert len({i["fingerprint"] for i in issues}) == 2
PY

# an unknown value is a usage error
"$TL" --no-db --format gitlab src >/dev/null 2>"$T/bad.err"
[ $? = 2 ] && grep -q "github or codeclimate" "$T/bad.err" && ok "an unknown format is refused" ||
    fail "--format gitlab was not refused"

[ $fails = 0 ] || exit 1
