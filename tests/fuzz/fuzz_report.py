#!/usr/bin/env python3
"""The figures of a `make fuzz` run, per target, from libFuzzer's logs (BUILD/fuzz/<t>.log,
run with -print_final_stats=1): executions, executions per second, coverage (edges, features),
the committed corpus size after the merge, crashes (artifacts written) and when the run
ended. Prints a table, writes BUILD/fuzz/report.json and report.md (and, with --doc, the
same table into that file between its fuzz-report markers), and exits 1 if any target
crashed, has no log, or ran fewer than --runs executions.

    fuzz_report.py [--runs N] [--doc FILE] BUILD_FUZZ_DIR TARGET...
"""
import argparse
import json
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
STAT_RE = re.compile(r"^stat::(\w+):\s+(\d+)", re.M)
COV_RE = re.compile(r"^#(\d+)\s+\S+\s+cov: (\d+) ft: (\d+)", re.M)
DONE_RE = re.compile(r"^Done (\d+) runs in (\d+) second", re.M)
LIM_RE = re.compile(r"^#\d+\s+DONE .* lim: (\d+)", re.M)
BEGIN, END = "<!-- fuzz-report -->", "<!-- /fuzz-report -->"


def figures(out: Path, target: str) -> dict:
    path = out / f"{target}.log"
    if not path.is_file():
        return dict(target=target, executions=0, exec_per_s=0, seconds=None, cov_edges=0,
                    cov_features=0, new_units=0, corpus_files=0, peak_rss_mb=0, crashes=0,
                    artifacts=[], len_limit=None, ended="not run")
    log = path.read_text(errors="replace")
    lim = LIM_RE.search(log)
    stats = {k: int(v) for k, v in STAT_RE.findall(log)}
    cov = COV_RE.findall(log)
    done = DONE_RE.search(log)
    crashes = sorted(p.name for p in out.glob(f"crash_{target}-*"))
    corpus = REPO / "tests" / "fuzz" / "corpus" / target
    return dict(
        target=target,
        executions=stats.get("number_of_executed_units", 0),
        exec_per_s=stats.get("average_exec_per_sec", 0),
        seconds=int(done.group(2)) if done else None,
        cov_edges=int(cov[-1][1]) if cov else 0,
        cov_features=int(cov[-1][2]) if cov else 0,
        new_units=stats.get("new_units_added", 0),
        corpus_files=len([p for p in corpus.iterdir() if p.is_file()]) if corpus.is_dir() else 0,
        peak_rss_mb=stats.get("peak_rss_mb", 0),
        crashes=len(crashes),
        artifacts=crashes,
        len_limit=int(lim.group(1)) if lim else None,
        ended=time.strftime("%Y-%m-%d %H:%M", time.gmtime(path.stat().st_mtime)),
    )


def into_doc(doc: Path, text: str) -> None:
    """Replace what lies between the fuzz-report markers of doc with text."""
    body = doc.read_text()
    start, end = body.index(BEGIN) + len(BEGIN), body.index(END)
    doc.write_text(body[:start] + "\n" + text + "\n" + body[end:])


def main(argv):
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=0, help="executions each target must reach")
    ap.add_argument("--doc", type=Path, help="also write the table into this file")
    ap.add_argument("out", type=Path)
    ap.add_argument("targets", nargs="+")
    args = ap.parse_args(argv[1:])
    out = args.out
    rows = [figures(out, t) for t in args.targets]
    head = ("target", "executions", "exec_per_s", "seconds", "cov_edges", "cov_features",
            "corpus_files", "crashes", "ended")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(r[h]) for h in head) + " |" for r in rows]
    total = sum(r["executions"] for r in rows)
    lines.append(f"\n{len(rows)} targets, {total} executions, "
                 f"{sum(r['crashes'] for r in rows)} crashes; times UTC, "
                 f"table written {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    text = "\n".join(lines)
    print(text)
    (out / "report.md").write_text(text + "\n")
    (out / "report.json").write_text(json.dumps(rows, indent=2) + "\n")
    if args.doc:
        into_doc(args.doc, text)
    bad = [r["target"] for r in rows if r["crashes"] or r["executions"] < max(args.runs, 1)]
    if bad:
        print(f"fuzz: findings, no run or fewer than {args.runs} executions in: "
              f"{', '.join(bad)} (logs and artifacts in {out})")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
