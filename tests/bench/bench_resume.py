"""make bench (resume part): Linux's own resume and thaw's, on the same real fixtures with
the same QEMU settings, runs alternating (Linux, thaw, Linux, ...) so a shared host's load
swings hit both alike; every figure as min/median/max over the runs, and each ratio taken
within one Linux/thaw pair. For each variant:
  e2e_s       power-on (QEMU launch) to the workload's first line after resume
  phase_s     Linux: GRUB's first output to Linux's own "Read ... MB/s" line (loader I/O,
              kernel boot, initramfs, load); thaw: GRUB's first output to thaw's summary
              line, just before the jump
  restore     Linux: its own Read MB/s (in MiB/s); thaw: image MiB / (map_ms + pages_ms)
With --baseline-iso, a second thaw (e.g. main's) runs in every pair too, and the report
shows it beside: the comparison of one thaw with another on the same host load.
Writes build/bench/resume.json, build/bench/resume.svg (medians as bars, min-max as
whiskers), the report (--report: date, QEMU version, the command that ran it, the
tables) and, with --readme, the README's table between its bench-report markers, so the
README's figures are the report's.

    make bench-resume BENCH_RUNS=5 BENCH_RESUME_VARIANTS=lzo-bios-smp2
"""
import argparse
import datetime
import json
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "rig"))
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import bench_linux  # noqa: E402
import imagekernel as ik  # noqa: E402
from fixtures.guest_qemu import run_qemu  # noqa: E402
from fixtures.realimage import BACK_RE, RESUMED_RE, hibernated_disk  # noqa: E402

DEFAULT_VARIANTS = ["lzo-bios-smp2", "lzo-bios-smp1", "none-bios-smp1", "lzo-uefi-smp1",
                    "lzo-bios-smp1-mem2048-data512"]
SUMMARY_RE = re.compile(r"thaw: resuming pages=(?P<pages>\d+) .*?load_ms=(?P<load_ms>\d+) "
                        r".*?map_ms=(?P<map_ms>\d+) .*?cpus=(?P<cpus>\d+) "
                        r".*?pages_ms=(?P<pages_ms>\d+) ")
FIGURES = [  # (key, label, unit)
    ("e2e", "end to end", "s"), ("phase", "phase", "s"), ("restore", "restore", "MiB/s")]


README_BEGIN = "<!-- bench-report:begin (written by make bench-resume) -->"
README_END = "<!-- bench-report:end -->"


def thaw_once(fx, iso, work: Path) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    disk = fx.disk_copy(work)
    run = run_qemu(fx.qemu_args(cdrom=iso, disk=disk), work / "serial.log", timeout=900, nice=0)
    t_back, _ = run.first(BACK_RE)
    _, ok = run.first(RESUMED_RE)
    t_sum, m = run.first(SUMMARY_RE)
    t_grub = bench_linux.first_time(run, bench_linux.GRUB_RE) or 0.0
    if not (t_back and ok and ok["checksum"] == "ok" and ok["counter"] == "ok" and m):
        raise RuntimeError(f"bench: thaw's resume of {fx.variant.name} failed, see "
                           f"{work / 'serial.log'}")
    disk.unlink()
    mib = int(m["pages"]) * 4096 / (1 << 20)
    load_s = (int(m["map_ms"]) + int(m["pages_ms"])) / 1000
    return {"e2e": round(t_back, 3), "phase": round(t_sum - t_grub, 3),
            "restore": round(mib / load_s, 2), "load_ms": int(m["load_ms"]),
            "restore_s": load_s, "cpus": int(m["cpus"])}


def linux_once(variant, work: Path) -> dict:
    """One run of Linux's own resume of variant, in thaw_once's figures."""
    r = bench_linux.measure(variant, 1, workdir=work)
    return {"e2e": r["samples"]["back_s"][0], "phase": r["samples"]["phase_s"][0],
            "restore": r["samples"]["read_mibps"][0]}


def spread(values) -> dict:
    return {"min": round(min(values), 3), "median": round(statistics.median(values), 3),
            "max": round(max(values), 3)}


def ratios(a, b) -> dict:
    return {k: spread([x[k] / y[k] for x, y in zip(a, b)]) for k, _, _ in FIGURES}


def measure_pair(variant, iso, runs, base: Path, baseline=None) -> dict:
    """runs alternating Linux/thaw pairs (Linux/thaw/baseline triples with a baseline
    ISO); figures and per-pair ratios as spreads."""
    fx = hibernated_disk(variant)
    lin, thw, old = [], [], []
    for i in range(runs):
        lin.append(linux_once(variant, base / f"linux-{variant}-{i}"))
        thw.append(thaw_once(fx, iso, base / f"thaw-{variant}-{i}"))
        if baseline:
            old.append(thaw_once(fx, baseline, base / f"base-{variant}-{i}"))
    row = {"variant": variant, "runs": runs,
           "image_mib": round(fx.meta["image"]["size"] / (1 << 20), 1),
           "cpus": thw[0]["cpus"],
           "linux": {k: spread([s[k] for s in lin]) for k, _, _ in FIGURES},
           "thaw": {k: spread([s[k] for s in thw]) for k, _, _ in FIGURES},
           "ratio": ratios(thw, lin),
           "samples": {"linux": lin, "thaw": thw}}
    if baseline:
        row["baseline"] = {k: spread([s[k] for s in old]) for k, _, _ in FIGURES}
        row["baseline_ratio"] = ratios(old, lin)
        row["samples"]["baseline"] = old
    return row


def fmt(s) -> str:
    return f"{s['min']:.2f} / {s['median']:.2f} / {s['max']:.2f}"


def tables(rows) -> str:
    base = any("baseline" in r for r in rows)
    head = ("| variant | image MiB | thaw CPUs | figure | Linux min/med/max | thaw min/med/max "
            "| thaw/Linux min/med/max |")
    rule = "|---|---|---|---|---|---|---|"
    if base:
        head += " baseline thaw min/med/max | baseline/Linux min/med/max |"
        rule += "---|---|"
    out = [head, rule]
    for r in rows:
        for k, label, unit in FIGURES:
            line = (f"| {r['variant']} | {r['image_mib']} | {r['cpus']} | {label} ({unit}) "
                    f"| {fmt(r['linux'][k])} | {fmt(r['thaw'][k])} | {fmt(r['ratio'][k])} |")
            if base:
                line += (f" {fmt(r['baseline'][k])} | {fmt(r['baseline_ratio'][k])} |"
                         if "baseline" in r else " - | - |")
            out.append(line)
    return "\n".join(out)


def svg_chart(rows, key, title, unit) -> str:
    """Grouped bars, Linux vs thaw per variant: the median as the bar, min-max whisker."""
    w, h, left, bottom, top = max(640, 200 * len(rows)), 320, 60, 260, 30
    vmax = max(max(r["linux"][key]["max"], r["thaw"][key]["max"]) for r in rows) * 1.15 or 1
    group = (w - left - 20) / len(rows)
    bar = group / 3
    y = lambda v: bottom - (bottom - top) * v / vmax  # noqa: E731
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
           f'font-family="sans-serif" font-size="11">',
           f'<text x="{w / 2}" y="18" text-anchor="middle" font-size="13">{title} ({unit}; '
           'bar = median, whisker = min-max, QEMU TCG)</text>',
           f'<line x1="{left}" y1="{bottom}" x2="{w - 10}" y2="{bottom}" stroke="black"/>',
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="black"/>']
    for k in range(5):
        v = vmax * k / 4
        out.append(f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end">{v:.1f}</text>')
        out.append(f'<line x1="{left}" y1="{y(v):.1f}" x2="{w - 10}" y2="{y(v):.1f}" '
                   'stroke="#ddd"/>')
    for i, r in enumerate(rows):
        x0 = left + i * group + bar / 2
        for j, (who, colour) in enumerate((("linux", "#888"), ("thaw", "#2a7ab0"))):
            s = r[who][key]
            x = x0 + j * bar
            out.append(f'<rect x="{x:.1f}" y="{y(s["median"]):.1f}" width="{bar - 4:.1f}" '
                       f'height="{bottom - y(s["median"]):.1f}" fill="{colour}"/>')
            cx = x + (bar - 4) / 2
            out.append(f'<line x1="{cx:.1f}" y1="{y(s["min"]):.1f}" x2="{cx:.1f}" '
                       f'y2="{y(s["max"]):.1f}" stroke="black"/>')
            for v in (s["min"], s["max"]):
                out.append(f'<line x1="{cx - 5:.1f}" y1="{y(v):.1f}" x2="{cx + 5:.1f}" '
                           f'y2="{y(v):.1f}" stroke="black"/>')
            out.append(f'<text x="{cx:.1f}" y="{y(s["max"]) - 4:.1f}" '
                       f'text-anchor="middle">{s["median"]:.1f}</text>')
        out.append(f'<text x="{x0 + bar - 2:.1f}" y="{bottom + 16}" text-anchor="middle">'
                   f'{r["variant"]}</text>')
        out.append(f'<text x="{x0 + bar - 2:.1f}" y="{bottom + 30}" text-anchor="middle">'
                   f'thaw/Linux {r["ratio"][key]["median"]:.2f}</text>')
    out.append(f'<rect x="{w - 150}" y="{top}" width="10" height="10" fill="#888"/>'
               f'<text x="{w - 135}" y="{top + 9}">Linux resume</text>')
    out.append(f'<rect x="{w - 150}" y="{top + 16}" width="10" height="10" fill="#2a7ab0"/>'
               f'<text x="{w - 135}" y="{top + 25}">thaw</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def report(rows, runs, command, baseline) -> str:
    qemu = subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True,
                          text=True).stdout.splitlines()[0]
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return "\n".join([
        "# thaw vs Linux resume: benchmark report",
        "",
        "Written by `make bench` (tests/bench/bench_resume.py); the README's figures come "
        "from here.",
        "",
        f"- date: {now}",
        f"- QEMU: {qemu} (TCG, no KVM); host: {platform.machine()}, "
        f"{subprocess.run(['nproc'], capture_output=True, text=True).stdout.strip()} cores, "
        "shared with other work",
        f"- command: `{command}`",
        f"- runs: {runs} per variant, Linux and thaw alternating; ratios per pair" +
        (f"; the baseline thaw ({baseline}) runs in every pair too" if baseline else ""),
        "- end to end: QEMU launch to the workload's first line after resume",
        "- phase: Linux: GRUB's first output to its own `PM: ... Read ... MB/s` line; thaw: "
        "GRUB's first output to its summary line (just before the jump)",
        "- restore: Linux: its own Read MB/s (1000 KiB) in MiB/s; thaw: image MiB / "
        "(map_ms + pages_ms) from its summary line",
        "",
        tables(rows),
        "",
    ])


def readme_table(rows, report_path) -> str:
    """The README's copy of the report: one table per variant, the report's own figures."""
    out = [README_BEGIN, "", f"From `{report_path}` ({rows[0]['runs']} alternating pairs per "
           "variant,", "TCG on a shared 2-core host; min / median / max):", ""]
    for r in rows:
        out += [f"{r['variant']} ({r['cpus']} vCPUs, {r['image_mib']} MiB image):", "",
                "| figure | Linux | thaw | thaw/Linux |", "|---|---|---|---|"]
        out += [f"| {label} ({unit}) | {fmt(r['linux'][k])} | {fmt(r['thaw'][k])} | "
                f"{fmt(r['ratio'][k])} |" for k, label, unit in FIGURES]
        out.append("")
    out.append(README_END)
    return "\n".join(out)


def update_readme(path: Path, rows, report_path) -> None:
    text = path.read_text()
    if README_BEGIN not in text or README_END not in text:
        raise SystemExit(f"bench: {path} has no {README_BEGIN} ... {README_END} section")
    head, rest = text.split(README_BEGIN, 1)
    tail = rest.split(README_END, 1)[1]
    path.write_text(head + readme_table(rows, report_path) + tail)


def main(argv) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("variants", nargs="*", default=DEFAULT_VARIANTS)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", default=str(ik.BUILD / "bench" / "resume.json"))
    ap.add_argument("--report", default=str(ik.BUILD / "bench" / "report.md"))
    ap.add_argument("--readme", help="README whose bench-report section to rewrite")
    ap.add_argument("--baseline-iso", help="another thaw.iso to run in every pair")
    ap.add_argument("--baseline-name", help="what the baseline ISO is (for the report)")
    ap.add_argument("--command", help="the command to record (make passes its own)")
    a = ap.parse_args(argv)
    iso = ik.BUILD / "thaw.iso"
    base = Path(tempfile.mkdtemp(prefix="thaw-bench-resume-"))
    rows, failed = [], []
    for v in a.variants:                # one variant failing does not lose the others
        try:
            rows.append(measure_pair(v, iso, a.runs, base, a.baseline_iso))
        except RuntimeError as e:
            print(f"bench: {v}: {e}", file=sys.stderr)
            failed.append(f"{v}: {e}")
    if not rows:
        return 1
    print(tables(rows))
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=2) + "\n")
    out.with_suffix(".svg").write_text(svg_chart(rows, "e2e", "Power-on to resumed workload", "s"))
    out.with_name(out.stem + "-restore.svg").write_text(
        svg_chart(rows, "restore", "Restore throughput", "MiB/s"))
    rep = Path(a.report)
    rep.parent.mkdir(parents=True, exist_ok=True)
    command = a.command or " ".join([sys.executable, str(Path(__file__).relative_to(ik.REPO))]
                                    + argv)
    rep.write_text(report(rows, a.runs, command, a.baseline_name or a.baseline_iso) +
                   "".join(f"\nNot measured: {f}\n" for f in failed))
    if a.readme:
        update_readme(Path(a.readme), rows, a.report)
    print(f"bench: wrote {out}, its .svg charts and {rep}" + (f", {a.readme}" if a.readme else ""))
    if not failed:
        shutil.rmtree(base, ignore_errors=True)     # kept (with the serial logs) on failure
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
