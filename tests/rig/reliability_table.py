#!/usr/bin/env python3
"""`make reliability`'s table: every case the campaign ran (tests/rig/reliability.py's JSON
lines), with what was expected and what thaw did, and the totals per suite. Exit 1 when
any case differs from its expectation or the log is empty.

    reliability_table.py CASES.jsonl OUT.md
"""
import json
import sys
from collections import Counter
from pathlib import Path


def main(argv):
    rows = [json.loads(line) for line in Path(argv[1]).read_text().splitlines() if line]
    lines = ["| suite | case | expected | got |", "|---|---|---|---|"]
    lines += [f"| {r['suite']} | {r['case']} | {r['expected']} | {r['got']} |" for r in rows]
    held = Counter(r["suite"] for r in rows if r["got"] == r["expected"])
    total = Counter(r["suite"] for r in rows)
    lines.append("")
    for suite in sorted(total):
        lines.append(f"{suite}: {held[suite]} of {total[suite]} cases held")
    bad = [r for r in rows if r["got"] != r["expected"]]
    lines.append(f"all: {sum(held.values())} of {len(rows)} cases held, {len(bad)} failed")
    text = "\n".join(lines) + "\n"
    Path(argv[2]).write_text(text)
    print(text)
    return 1 if bad or not rows else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
