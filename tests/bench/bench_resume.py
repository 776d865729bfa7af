"""make bench (resume part): Linux's own resume and thaw's, on the same real fixtures with
the same QEMU settings, in one run. For each variant:
  e2e_s     power-on (QEMU launch) to the workload's first line after resume, median
  restore   Linux: image MiB / (back - the moment /init asks Linux to resume);
            thaw:  image MiB / (back - thaw's first line), and thaw's own load_ms
Writes build/bench/resume.json, build/bench/resume.svg (hand-written SVG bar chart) and
prints a table with the ratio thaw/Linux (target: at most 0.5).

    /usr/bin/python3 tests/bench/bench_resume.py --runs 3 lzo-bios-smp1 none-bios-smp1
"""
import argparse
import json
import shutil
import statistics
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

DEFAULT_VARIANTS = ["lzo-bios-smp1", "none-bios-smp1", "lzo-bios-smp2", "lzo-uefi-smp1",
                    "lzo-bios-smp1-mem2048-data512"]
BANNER = "thaw: resumes a hibernated Linux"


def thaw_once(fx, iso, work: Path) -> dict:
    work.mkdir(parents=True, exist_ok=True)
    disk = fx.disk_copy(work)
    run = run_qemu(fx.qemu_args(cdrom=iso, disk=disk), work / "serial.log", timeout=900, nice=0)
    t_back, _ = run.first(BACK_RE)
    _, ok = run.first(RESUMED_RE)
    t_thaw = next((t for t, line in run.lines if BANNER in line), None)
    _, summary = run.first(ik.RESUMING_RE)
    if not (t_back and ok and ok["checksum"] == "ok" and ok["counter"] == "ok" and summary):
        raise RuntimeError(f"bench: thaw's resume of {fx.variant.name} failed, see "
                           f"{work / 'serial.log'}")
    size = fx.meta["image"]["size"]
    disk.unlink()
    return {"back_s": t_back, "thaw_start_s": t_thaw, "restore_s": t_back - t_thaw,
            "mibps": size / (1 << 20) / (t_back - t_thaw),
            "load_ms": int(summary["load_ms"]), "load_mibps": int(summary["mibps"])}


def measure_pair(variant, iso, runs, base: Path):
    """Alternate Linux and thaw runs, so load changes on a shared host hit both alike."""
    lin_runs, thaw_samples = [], []
    fx = hibernated_disk(variant)
    for i in range(runs):
        lin_runs.append(bench_linux.measure(variant, 1, workdir=base / f"linux-{i}"))
        thaw_samples.append(thaw_once(fx, iso, base / f"thaw-{variant}-{i}"))
    lin = dict(lin_runs[0])
    lin["runs"] = runs
    lin["samples"] = {f: [r["samples"][f][0] for r in lin_runs] for f in bench_linux.FIELDS}
    lin["median"] = {f: round(statistics.median(v), 3) for f, v in lin["samples"].items()}
    med = {k: round(statistics.median(s[k] for s in thaw_samples), 3) for k in thaw_samples[0]}
    thw = {"variant": variant, "runs": runs, "image_bytes": fx.meta["image"]["size"],
           "median": med, "samples": thaw_samples}
    return lin, thw


def svg_chart(rows) -> str:
    """Grouped bars: end-to-end seconds, Linux vs thaw, one group per variant."""
    w, h, left, bottom, top = max(640, 200 * len(rows)), 300, 60, 250, 30
    vmax = max(max(r["linux_e2e"], r["thaw_e2e"]) for r in rows) * 1.15
    group = (w - left - 20) / len(rows)
    bar = group / 3
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
           f'font-family="sans-serif" font-size="11">',
           f'<text x="{w / 2}" y="18" text-anchor="middle" font-size="13">'
           'Power-on to resumed workload (median seconds, QEMU TCG)</text>',
           f'<line x1="{left}" y1="{bottom}" x2="{w - 10}" y2="{bottom}" stroke="black"/>',
           f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="black"/>']
    for k in range(5):
        v = vmax * k / 4
        y = bottom - (bottom - top) * k / 4
        out.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{v:.0f}</text>')
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{w - 10}" y2="{y:.1f}" '
                   'stroke="#ddd"/>')
    for i, r in enumerate(rows):
        x0 = left + i * group + bar / 2
        for j, (key, colour) in enumerate((("linux_e2e", "#888"), ("thaw_e2e", "#2a7ab0"))):
            bh = (bottom - top) * r[key] / vmax
            x = x0 + j * bar
            out.append(f'<rect x="{x:.1f}" y="{bottom - bh:.1f}" width="{bar - 4:.1f}" '
                       f'height="{bh:.1f}" fill="{colour}"/>')
            out.append(f'<text x="{x + bar / 2 - 2:.1f}" y="{bottom - bh - 4:.1f}" '
                       f'text-anchor="middle">{r[key]:.1f}</text>')
        out.append(f'<text x="{x0 + bar - 2:.1f}" y="{bottom + 16}" text-anchor="middle">'
                   f'{r["variant"]}</text>')
        out.append(f'<text x="{x0 + bar - 2:.1f}" y="{bottom + 30}" text-anchor="middle">'
                   f'ratio {r["ratio"]:.2f}</text>')
    out.append(f'<rect x="{w - 150}" y="{top}" width="10" height="10" fill="#888"/>'
               f'<text x="{w - 135}" y="{top + 9}">Linux resume</text>')
    out.append(f'<rect x="{w - 150}" y="{top + 16}" width="10" height="10" fill="#2a7ab0"/>'
               f'<text x="{w - 135}" y="{top + 25}">thaw</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main(argv) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("variants", nargs="*", default=DEFAULT_VARIANTS)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", default=str(ik.BUILD / "bench" / "resume.json"))
    a = ap.parse_args(argv)
    iso = ik.BUILD / "thaw.iso"
    base = Path(tempfile.mkdtemp(prefix="thaw-bench-resume-"))
    rows = []
    for v in a.variants:
        lin, thw = measure_pair(v, iso, a.runs, base)
        mib = lin["image_bytes"] / (1 << 20)
        rows.append({"variant": v, "image_mib": round(mib, 1),
                     "linux_e2e": lin["median"]["back_s"], "thaw_e2e": thw["median"]["back_s"],
                     "linux_mibps": lin["median"]["mibps"], "thaw_mibps": thw["median"]["mibps"],
                     "thaw_load_mibps": thw["median"]["load_mibps"],
                     "ratio": round(thw["median"]["back_s"] / lin["median"]["back_s"], 3),
                     "linux": lin, "thaw": thw})
    print(f"\n{'variant':<32}{'image MiB':>10}{'Linux e2e s':>12}{'thaw e2e s':>11}"
          f"{'ratio':>7}{'Linux MiB/s':>12}{'thaw MiB/s':>11}{'thaw load MiB/s':>16}")
    for r in rows:
        print(f"{r['variant']:<32}{r['image_mib']:>10.1f}{r['linux_e2e']:>12.2f}"
              f"{r['thaw_e2e']:>11.2f}{r['ratio']:>7.2f}{r['linux_mibps']:>12.1f}"
              f"{r['thaw_mibps']:>11.1f}{r['thaw_load_mibps']:>16}")
    print("ratio = thaw end-to-end / Linux end-to-end (target <= 0.5); medians of "
          f"{a.runs} runs each")
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows, indent=2) + "\n")
    out.with_suffix(".svg").write_text(svg_chart(rows))
    print(f"bench: wrote {out} and {out.with_suffix('.svg')}")
    shutil.rmtree(base, ignore_errors=True)     # kept (with the serial logs) on failure
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
