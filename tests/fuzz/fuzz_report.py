#!/usr/bin/env python3
"""The figures of a `make fuzz` run, per target, from libFuzzer's logs (BUILD/fuzz/<t>.log,
run with -print_final_stats=1): executions, executions per second, coverage (edges, features),
the committed corpus size after the merge, and crashes (artifacts written). Prints a table,
writes BUILD/fuzz/report.json and report.md, and exits 1 if any target crashed or ran fewer
than the executions asked for without a crash to explain it.

    fuzz_report.py BUILD_FUZZ_DIR TARGET...
"""
import json
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
STAT_RE = re.compile(r"^stat::(\w+):\s+(\d+)", re.M)
COV_RE = re.compile(r"^#(\d+)\s+\S+\s+cov: (\d+) ft: (\d+)", re.M)
DONE_RE = re.compile(r"^Done (\d+) runs in (\d+) second", re.M)


def figures(out: Path, target: str) -> dict:
    log = (out / f"{target}.log").read_text(errors="replace")
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
    )


def main(argv):
    out, targets = Path(argv[1]), argv[2:]
    rows = [figures(out, t) for t in targets]
    head = ("target", "executions", "exec_per_s", "cov_edges", "cov_features", "corpus_files",
            "crashes")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(str(r[h]) for h in head) + " |" for r in rows]
    total = sum(r["executions"] for r in rows)
    lines.append(f"\n{len(rows)} targets, {total} executions, "
                 f"{sum(r['crashes'] for r in rows)} crashes "
                 f"({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})")
    text = "\n".join(lines)
    print(text)
    (out / "report.md").write_text(text + "\n")
    (out / "report.json").write_text(json.dumps(rows, indent=2) + "\n")
    bad = [r["target"] for r in rows if r["crashes"] or r["executions"] == 0]
    if bad:
        print(f"fuzz: findings or no executions in: {', '.join(bad)} (artifacts in {out})")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
