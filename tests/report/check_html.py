#!/usr/bin/python3
"""check_html.py DIR...: every *.html under DIR parses with html5lib in
strict mode (the first parse error fails), and, with --dom FILE
[--scripts N], a dumped DOM has exactly N <script> elements, none with an
event handler attribute, no <img> and no javascript: URL (a hostile file
name or source line stayed text)."""
import os
import sys

import html5lib


def strict_parse(path):
    with open(path, 'rb') as f:
        data = f.read()
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    try:
        return parser.parse(data)
    except Exception as e:  # html5lib.html5parser.ParseError
        pos = parser.errors[-1][0] if parser.errors else '?'
        sys.exit(f'{path}: not strict HTML at {pos}: {e}')


def check_dom(path, scripts):
    with open(path, 'rb') as f:
        doc = html5lib.parse(f.read(), namespaceHTMLElements=False)
    found = doc.findall('.//script')
    if len(found) != scripts:
        sys.exit(f'{path}: {len(found)} <script> elements, expected {scripts}')
    if doc.findall('.//img'):
        sys.exit(f'{path}: an <img> element came from the data')
    for el in doc.iter():
        for k, v in el.attrib.items():
            if k.lower().startswith('on') or v.strip().lower().startswith('javascript:'):
                sys.exit(f'{path}: <{el.tag} {k}="{v}"> came from the data')


def main(argv):
    n = 0
    i = 1
    while i < len(argv):
        if argv[i] == '--dom':
            check_dom(argv[i + 1], int(argv[i + 3]) if argv[i + 2:i + 3] == ['--scripts'] else 0)
            i += 4 if argv[i + 2:i + 3] == ['--scripts'] else 2
            continue
        for dirpath, _, files in os.walk(argv[i]):
            for name in files:
                if name.endswith('.html'):
                    strict_parse(os.path.join(dirpath, name))
                    n += 1
        i += 1
    if n:
        print(f'check_html: {n} pages parse strictly')
    else:
        print('check_html: the DOM holds only what tasklint put there')


if __name__ == '__main__':
    main(sys.argv)
