#!/usr/bin/python3
"""dom_counts.py DOM DIFF_JSON RUNS_TXT: the counts index.html shows, after
its scripts ran (chromium --dump-dom), against what the store says:
`tasklint diff --format json` (new, fixed, unchanged, not compared) and
`tasklint runs` (the run's count per rule, the runs listed, the complete
runs the trend draws).  Prints the render time the page recorded."""
import json
import re
import sys

import html5lib


def text(el):
    return ''.join(el.itertext()).strip()


def main(dom_path, diff_path, runs_path):
    with open(dom_path, 'rb') as f:
        doc = html5lib.parse(f.read(), namespaceHTMLElements=False)
    ids = {el.get('id'): el for el in doc.iter() if el.get('id')}
    with open(diff_path) as f:
        diff = json.load(f)
    c = diff['counts']
    want = {'new': c['new'], 'fixed': c['fixed'], 'unchanged': c['unchanged'],
            'not-compared': c['only_in_b']}
    errors = []
    for state, n in want.items():
        got = int(text(ids['count-' + state]))
        if got != n:
            errors.append(f'count-{state}: page {got}, tasklint diff {n}')
    if int(text(ids['run'])) != diff['b']['run']:
        errors.append(f"run: page {text(ids['run'])}, diff {diff['b']['run']}")
    # tasklint runs: "RUN STATUS STARTED COMMIT FILES REUSED FINDINGS BY RULE"
    runs = []
    for line in open(runs_path):
        m = re.match(r'\s*(\d+)\s+(\w+)\s+\S+\s+\S+\s+\d+\s+\d+\s+(\d+)\s+(\S.*)$', line)
        if m:
            rules = {}
            for part in m.group(4).split():
                if '=' in part:
                    k, v = part.rsplit('=', 1)
                    rules[k] = int(v)
            runs.append((int(m.group(1)), m.group(2), int(m.group(3)), rules))
    this = [r for r in runs if r[0] == diff['b']['run']][0]
    # per rule: the run's findings are new + unchanged + not compared
    by_rule = {}
    for tr in ids['by-rule'].find('tbody').findall('tr'):
        cells = {td.get('data-state'): int(text(td)) for td in tr.findall('td') if td.get('data-state')}
        by_rule[tr.get('data-key')] = cells['new'] + cells['unchanged'] + cells['not-compared']
    by_rule = {k: v for k, v in by_rule.items() if v}
    if by_rule != this[3]:
        errors.append(f'by rule: page {by_rule}, tasklint runs {this[3]}')
    if sum(by_rule.values()) != this[2]:
        errors.append(f'total: page {sum(by_rule.values())}, tasklint runs {this[2]}')
    listed = len(ids['runs'].find('tbody').findall('tr'))
    if listed != len(runs):
        errors.append(f'runs listed: page {listed}, tasklint runs {len(runs)}')
    complete = len([r for r in runs if r[1] == 'complete'])
    points = int(ids['trend'].get('data-points'))
    if points != complete:
        errors.append(f'trend points: {points}, complete runs {complete}')
    # the table, rendered by app.js: one page of rows, all findings counted
    rows = len(ids['findings'].find('tbody').findall('tr'))
    total = int(ids['findings'].get('data-total'))
    if rows != min(total, 500):
        errors.append(f'table rows: {rows}, expected {min(total, 500)} of {total}')
    if not re.match(rf'{total} of {total} findings', text(ids['shown'])):
        errors.append(f"the table's status line says {text(ids['shown'])!r}")
    body = doc.find('body')
    if errors:
        sys.exit('dom_counts: ' + '; '.join(errors))
    print(f"dom_counts: ok ({total} findings, {len(runs)} runs, "
          f"rendered {body.get('data-render-ms')} ms after navigation start)")


if __name__ == '__main__':
    main(*sys.argv[1:4])
