#!/usr/bin/env bash
# test_report_browser.sh TASKLINT SOURCE_DIR ARTIFACT_DIR: `tasklint report
# --html` on a store of three runs (a file removed, a file changed, one
# finding triaged), with a hostile file name and source line, checked in
# headless Chromium: a screenshot of the overview (chart and table; kept in
# ARTIFACT_DIR), the counts of the page after its scripts ran against
# `tasklint diff` and `tasklint runs`, every page strictly parsed by
# html5lib, and the hostile text still text in the browser's DOM.
# Skipped (77) without chromium or python3-html5lib.
set -euo pipefail
TASKLINT=$1
SRC=$2
ART=${3:-$PWD/report-artifacts}
PY=/usr/bin/python3
command -v chromium >/dev/null || { echo "skip: no chromium"; exit 77; }
$PY -c 'import html5lib' 2>/dev/null || { echo "skip: no python3-html5lib"; exit 77; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$ART" "$T/proj/src/net" "$T/proj/src/jobs"
cd "$T/proj"
git init -q .
export NO_COLOR=1
unset TASKLINT_DB
cp "$SRC/fixtures/orphaned-spawn/pthread_error_path.c" src/jobs/
cp "$SRC/fixtures/orphaned-spawn/c11threads_workers.c" src/jobs/
cat > src/net/wait.c <<'C'
#include <poll.h>
int wait_peer(struct pollfd *p) { return poll(p, 1, -1); }
int wait_more(struct pollfd *q) { return poll(q, 1, -1); }
C
# a file name and a source line that would be markup if pasted into HTML,
# with quotes and a control character in the name ('/' cannot be in it)
evil=$'src/net/evil<script>alert(1)<img src=x onerror=alert(2)>\'"\x1b[31m.c'
cat > "$evil" <<'C'
#include <poll.h>
int evil(struct pollfd *p) { return poll(p, 1, -1); /* <script>alert("src")</script> <b onclick=x> */ }
C
chrome() {
    chromium --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$T/chrome" \
        --allow-file-access-from-files "$@" 2>>"$T/chrome.log"
}

"$TASKLINT" -q -j2 src >/dev/null && exit_status=0 || exit_status=$?
[ "$exit_status" = 1 ] || { echo "FAIL: run 1 exited $exit_status"; exit 1; }
rm src/jobs/c11threads_workers.c                        # run 2: fewer files
"$TASKLINT" -q -j2 src >/dev/null || true
printf 'int wait_new(struct pollfd *r) { return poll(r, 1, -1); }\n' >> src/net/wait.c
sed -i 's/poll(q, 1, -1)/poll(q, 1, 1000)/' src/net/wait.c  # run 3: one fixed, one new
"$TASKLINT" -q -j2 src >/dev/null || true
fp=$("$TASKLINT" diff --format json -v | $PY -c '
import json, sys
d = json.load(sys.stdin)
print([f for f in d["unchanged"] if f["rule"] == "orphaned-spawn"][0]["fingerprint"])')
"$TASKLINT" triage "$fp" intentional 'the <b>reader</b> "outlives" us' >/dev/null
"$TASKLINT" runs > "$T/runs.txt"
"$TASKLINT" diff --format json > "$T/diff.json" || true
$PY -c 'import json, sys; c = json.load(open(sys.argv[1]))["counts"]
assert c["new"] == 1 and c["fixed"] == 1, c' "$T/diff.json"
cat "$T/runs.txt"

"$TASKLINT" report --html "$T/out"
ls "$T/out" "$T/out/f" >/dev/null
$PY "$SRC/tests/report/check_html.py" "$T/out"

# the overview after its scripts ran: counts against the store
chrome --dump-dom "file://$T/out/index.html" > "$T/index.dom.html"
$PY "$SRC/tests/report/dom_counts.py" "$T/index.dom.html" "$T/diff.json" "$T/runs.txt"
grep -q 'id="count-triaged">1<' "$T/index.dom.html" || { echo "FAIL: triaged count"; exit 1; }
# two scripts (data.js, app.js), nothing the data brought in
$PY "$SRC/tests/report/check_html.py" --dom "$T/index.dom.html" --scripts 2

# the hostile finding's page: name and source line are text
page=$(grep -l 'evil(struct pollfd' "$T"/out/f/*.html | head -1)
[ -n "$page" ] || { echo "FAIL: no page shows the hostile source line"; exit 1; }
chrome --dump-dom "file://$page" > "$T/evil.dom.html"
$PY "$SRC/tests/report/check_html.py" --dom "$T/evil.dom.html" --scripts 0
$PY - "$T/evil.dom.html" <<'PY'
import sys, html5lib
doc = html5lib.parse(open(sys.argv[1], 'rb').read(), namespaceHTMLElements=False)
text = ''.join(doc.find('body').itertext())
for want in ('<script>alert("src")</script>', 'evil<script>alert(1)<img src=x onerror=alert(2)>\'"\\x1b[31m.c'):
    assert want in text, f'not shown as text: {want!r}'
assert '\x1b' not in text, 'a raw control character reached the page'
print('hostile page: ok')
PY
# the table's row for it, built by app.js from data.js, is text too
grep -q 'evil&lt;script&gt;alert(1)&lt;img src=x' "$T/index.dom.html" ||
    { echo "FAIL: the hostile name is not escaped text in the table"; exit 1; }
# the triaged finding's page shows the decision
tpage=$(grep -l 'intentional: the &lt;b&gt;reader&lt;/b&gt; &quot;outlives&quot; us' "$T"/out/f/*.html | head -1)
[ -n "$tpage" ] || { echo "FAIL: the triage decision is not on its page"; exit 1; }
grep -q 'class="primary"' "$tpage" || { echo "FAIL: no highlighted source line"; exit 1; }
grep -q 'About the rule' "$tpage" || { echo "FAIL: no explanation"; exit 1; }

# a changed file: its page says so instead of showing other lines
sed -i '1i /* moved down */' src/jobs/pthread_error_path.c
"$TASKLINT" report --html "$T/out" -q
grep -q 'the file has changed since the run analysed it' "$T"/out/f/*.html ||
    { echo "FAIL: a changed source file is not reported"; exit 1; }

# writes stay inside DIR: a symbolic link planted at DIR/f is refused
mkdir -p "$T/out2" "$T/elsewhere"
ln -s "$T/elsewhere" "$T/out2/f"
if "$TASKLINT" report --html "$T/out2" 2>"$T/err.txt"; then
    echo "FAIL: wrote through a symbolic link"; exit 1
fi
grep -q 'symbolic link' "$T/err.txt" || { cat "$T/err.txt"; exit 1; }
[ -z "$(ls -A "$T/elsewhere")" ] || { echo "FAIL: files written outside DIR"; exit 1; }

# the screenshot: the chart and the table (kept as a test artifact)
chrome --window-size=1280,1800 --screenshot="$ART/report.png" "file://$T/out/index.html" >/dev/null
size=$(stat -c %s "$ART/report.png")
[ "$size" -gt 50000 ] || { echo "FAIL: screenshot of $size bytes"; exit 1; }
cp -r "$T/out" "$ART/site"
echo "ok: screenshot $ART/report.png"
