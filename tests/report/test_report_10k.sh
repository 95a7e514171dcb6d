#!/usr/bin/env bash
# test_report_10k.sh TASKLINT SOURCE_DIR ARTIFACT_DIR: a generated project
# with 10,000 findings (400 files of 25 functions that each wait forever;
# more files than the report keeps read at once),
# analysed twice, then `tasklint report --html`: the overview must render in
# headless Chromium in under a second (app.js records the time from
# navigation start until the table is built in <body data-render-ms>; the
# best of three loads counts), with the right counts and one page of 500
# rows.  The times go to ARTIFACT_DIR/report-10k.txt.
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
mkdir -p "$ART"
cd "$T"
git init -q .
unset TASKLINT_DB
export NO_COLOR=1
$PY - <<'PY'
import os
for d in range(400):
    os.makedirs(f'src/mod{d % 5}', exist_ok=True)
    with open(f'src/mod{d % 5}/file{d}.c', 'w') as f:
        f.write('#include <poll.h>\n')
        for fn in range(25):
            f.write(f'void f{d}_{fn}(struct pollfd *p) {{ poll(p, 1, -1); }}\n')
PY
"$TASKLINT" -q -j2 src >/dev/null || true
"$TASKLINT" -q -j2 src >/dev/null || true
"$TASKLINT" runs > runs.txt
"$TASKLINT" diff --format json > diff.json || true
grep -q 'missing-timeout=10000' runs.txt || { cat runs.txt; echo "FAIL: not 10,000 findings"; exit 1; }
start=$(date +%s.%N)
"$TASKLINT" report --html out -q
end=$(date +%s.%N)
# every page shows its source (the files are as the run recorded them)
[ "$(ls out/f | wc -l)" = 10000 ] || { echo "FAIL: not 10,000 finding pages"; exit 1; }
if grep -l 'Source not shown' out/f/*.html | head -1 | grep -q .; then
    echo "FAIL: a page does not show its source"; exit 1
fi
best=999999
for i in 1 2 3; do
    chromium --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$T/chrome" \
        --dump-dom "file://$T/out/index.html" 2>/dev/null > dom.html
    ms=$(grep -o 'data-render-ms="[0-9]*"' dom.html | grep -o '[0-9]*')
    echo "load $i: table rendered ${ms} ms after navigation start"
    [ "$ms" -lt "$best" ] && best=$ms
done
$PY "$SRC/tests/report/dom_counts.py" dom.html diff.json runs.txt
{
    echo "report generation: $($PY -c "print(round($end - $start, 2))") s for 10,000 findings"
    echo "index.html + data.js ($(stat -c %s out/data.js) bytes): best of 3 loads ${best} ms"
} | tee "$ART/report-10k.txt"
[ "$best" -lt 1000 ] || { echo "FAIL: 10,000 findings took ${best} ms to render"; exit 1; }
echo ok
