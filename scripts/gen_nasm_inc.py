#!/usr/bin/env python3
"""Turn a C header's constants into a nasm include, so C and assembly share one
source:

    gen_nasm_inc.py HEADER > OUT.inc

Every object-like `#define NAME VALUE` whose VALUE is an integer expression
(numbers, operators, parentheses, names defined earlier in the header) becomes
`%define NAME VALUE`, with C integer suffixes (u, l, ull) dropped. Anything else
(include guards, function-like macros, strings) is left out.
"""
import re
import sys

DEFINE = re.compile(r'^\s*#\s*define\s+([A-Za-z_]\w*)\s+(.+?)\s*$')
COMMENT = re.compile(r'/\*.*?\*/|//.*$')
NUMBER = re.compile(r'\b(0[xX][0-9a-fA-F]+|\d+)[uUlL]+\b')
TOKEN = re.compile(r'0[xX][0-9a-fA-F]+|\d+|[A-Za-z_]\w*|<<|>>|[-+*/%()|&^~\s]')


def convert(text):
    known, out = set(), []
    for line in text.splitlines():
        m = DEFINE.match(COMMENT.sub('', line))
        if not m:
            continue
        name, value = m.group(1), NUMBER.sub(r'\1', m.group(2)).strip()
        tokens = TOKEN.findall(value)
        if ''.join(tokens) != value or not value:
            continue
        if any(re.match(r'[A-Za-z_]', t) and t not in known for t in tokens):
            continue
        known.add(name)
        out.append(f'%define {name} {value}')
    return '\n'.join(out) + '\n'


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    with open(argv[1]) as f:
        sys.stdout.write(f'; generated from {argv[1]} by scripts/gen_nasm_inc.py\n')
        sys.stdout.write(convert(f.read()))


if __name__ == '__main__':
    main(sys.argv)
