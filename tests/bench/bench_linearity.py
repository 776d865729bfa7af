"""make bench (linearity part): does thaw's phase grow linearly with the image size? Pairs of
fixtures that differ only in guest RAM and workload (same codec, firmware, vCPUs, kernel,
disk), each round running Linux and thaw on the small one, then on the big one, so one
round sees one host load. Per round:
  per MiB     thaw's phase (GRUB's first output to its summary line) / image MiB
  linearity   (phase_big / phase_small) / (MiB_big / MiB_small): 1.0 is linear, above 1.0
              the big image costs more per MiB; the target is <= 1.15 (issue 15)
  restore     the same for thaw's own restore time (map_ms + pages_ms), without the fixed
              boot costs (GRUB loading thaw, disk discovery) the phase also holds
  thaw/Linux  the phase ratio per size, as bench_resume reports it, and big over small
Figures as min/median/max over the rounds. Variants come as pairs: small big [small big ...].
Writes the JSON (--out: date, command, one entry per pair) and the report (--report, one
table per pair); --from-json rewrites the report from such a JSON without measuring.

    make bench-linearity BENCH_RUNS=5
    /usr/bin/python3 tests/bench/bench_linearity.py --runs 3 \
        lzo-bios-smp2 lzo-bios-smp2-mem2048-data512
"""
import argparse
import dataclasses
import datetime
import json
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "rig"))
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import imagekernel as ik  # noqa: E402
from bench_resume import fmt, linux_once, spread, thaw_once  # noqa: E402
from fixtures.realimage import hibernated_disk  # noqa: E402
from fixtures.variant import as_variant  # noqa: E402

DEFAULT_VARIANTS = ["lzo-bios-smp2", "lzo-bios-smp2-mem2048-data512",
                    "lzo-bios-smp1", "lzo-bios-smp1-mem2048-data512"]
TARGET = 1.15          # issue 15: "within 15 % of linear in image size"
SIZE_FIELDS = ("mem_mib", "workload_mib")   # what may differ between the two fixtures


def check_pair(small: str, big: str) -> None:
    """The comparison is image size only: every other variant field must match."""
    a, b = as_variant(small), as_variant(big)
    other = [f.name for f in dataclasses.fields(a)
             if f.name not in SIZE_FIELDS and getattr(a, f.name) != getattr(b, f.name)]
    if other:
        raise SystemExit(f"bench: {small} and {big} differ in {', '.join(other)}, not only "
                         "in size")


def round_figures(mib, lin, thw) -> dict:
    """One round's figures from (small, big) image MiB, Linux and thaw samples."""
    scale = mib[1] / mib[0]
    return {
        "thaw_phase_ms_per_mib": [1000 * t["phase"] / m for t, m in zip(thw, mib)],
        "thaw_restore_ms_per_mib": [1000 * t["restore_s"] / m for t, m in zip(thw, mib)],
        "linux_phase_ms_per_mib": [1000 * x["phase"] / m for x, m in zip(lin, mib)],
        "thaw_phase_linearity": thw[1]["phase"] / thw[0]["phase"] / scale,
        "thaw_restore_linearity": thw[1]["restore_s"] / thw[0]["restore_s"] / scale,
        "linux_phase_linearity": lin[1]["phase"] / lin[0]["phase"] / scale,
        "phase_ratio": [t["phase"] / x["phase"] for t, x in zip(thw, lin)],
        "phase_ratio_growth": (thw[1]["phase"] / lin[1]["phase"]) /
                              (thw[0]["phase"] / lin[0]["phase"]),
    }


def summarise(small, big, mib, rounds) -> dict:
    """Spreads over the rounds; a per-size list becomes a [small, big] pair of spreads."""
    out = {"small": small, "big": big, "image_mib": [round(m, 1) for m in mib],
           "runs": len(rounds), "target": TARGET}
    for k, v in rounds[0].items():
        if k == "samples":
            continue
        if isinstance(v, list):
            out[k] = [spread([r[k][i] for r in rounds]) for i in range(2)]
        else:
            out[k] = spread([r[k] for r in rounds])
    out["met"] = out["thaw_phase_linearity"]["median"] <= TARGET
    out["rounds"] = rounds
    return out


def measure(small, big, iso, runs, base: Path) -> dict:
    fxs = [hibernated_disk(small), hibernated_disk(big)]
    mib = [fx.meta["image"]["size"] / (1 << 20) for fx in fxs]
    rounds = []
    for i in range(runs):
        lin, thw = [], []
        for fx in fxs:
            name = fx.variant.name
            lin.append(linux_once(name, base / f"linux-{name}-{i}"))
            thw.append(thaw_once(fx, iso, base / f"thaw-{name}-{i}"))
        r = round_figures(mib, lin, thw)
        r["samples"] = {"linux": lin, "thaw": thw}
        rounds.append(r)
        print(f"bench: round {i + 1}/{runs}: thaw phase {thw[0]['phase']:.2f} s / "
              f"{thw[1]['phase']:.2f} s, linearity {r['thaw_phase_linearity']:.2f}", flush=True)
    return summarise(small, big, mib, rounds)


def table(s) -> str:
    rows = [("thaw phase (ms/MiB)", "thaw_phase_ms_per_mib", "thaw_phase_linearity"),
            ("thaw restore, map+pages (ms/MiB)", "thaw_restore_ms_per_mib",
             "thaw_restore_linearity"),
            ("Linux phase (ms/MiB)", "linux_phase_ms_per_mib", "linux_phase_linearity"),
            ("phase thaw/Linux (last column: big/small)", "phase_ratio",
             "phase_ratio_growth")]
    out = [f"| figure | {s['small']} ({s['image_mib'][0]} MiB) | {s['big']} "
           f"({s['image_mib'][1]} MiB) | linearity (big/small per MiB) |",
           "|---|---|---|---|"]
    for label, per, lin in rows:
        out.append(f"| {label} | {fmt(s[per][0])} | {fmt(s[per][1])} | "
                   f"{fmt(s[lin]) if lin else '-'} |")
    return "\n".join(out)


def verdict(s) -> str:
    lin = s["thaw_phase_linearity"]
    return (f"thaw's phase per MiB on the {s['image_mib'][1]} MiB image is {lin['median']:.2f}x "
            f"the {s['image_mib'][0]} MiB image's (median; min {lin['min']:.2f}, max "
            f"{lin['max']:.2f}); target <= {TARGET:.2f}: "
            f"{'met' if s['met'] else 'NOT met'} on the median; phase thaw/Linux "
            f"{s['phase_ratio'][0]['median']:.2f} small, {s['phase_ratio'][1]['median']:.2f} big")


def report(run) -> str:
    pairs = run["pairs"]
    return "\n".join([
        "# thaw's phase against image size: linearity report",
        "",
        "Written by `make bench-linearity` (tests/bench/bench_linearity.py).",
        "",
        f"- date: {run['date']}",
        f"- QEMU: {run['qemu']} (TCG, no KVM); host: {run['host']}, shared with other work",
        f"- command: `{run['command']}`",
        f"- runs: {pairs[0]['runs']} rounds per pair; each round Linux then thaw on the "
        "small fixture, then on the big one; per-round figures, shown as min / median / max",
        "- phase: as in docs/bench-report.md (GRUB's first output to Linux's `Read` line or "
        "to thaw's summary line)",
        "- restore: thaw's map_ms + pages_ms from its summary line",
        f"- linearity: (big / small) / (image MiB big / image MiB small); 1.00 is linear, the "
        f"target is <= {TARGET:.2f}; below 1.00 the fixed costs (GRUB loading thaw, firmware "
        "and disk set-up) weigh less on the big image",
        "- the big guest's extra image MiB are mostly its workload, random bytes (tmpfs, "
        "fixtures/guest-init.sh) that LZO cannot shrink, so its mix of pages differs from the "
        "small guest's",
        "- phase thaw/Linux, last column: the ratio on the big image over the ratio on the "
        "small one; Linux's phase holds its own kernel boot and initramfs, a fixed cost, so this "
        "column exceeds 1.00 whenever Linux's phase per MiB falls faster than thaw's",
        "",
    ] + [line for s in pairs for line in (
        f"## {s['small']} against {s['big']}", "", table(s), "", f"Result: {verdict(s)}.", "")])


def main(argv) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("variants", nargs="*", default=DEFAULT_VARIANTS,
                    help="pairs: the small and the big fixture")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", default=str(ik.BUILD / "bench" / "linearity.json"))
    ap.add_argument("--report", default=str(ik.BUILD / "bench" / "linearity.md"))
    ap.add_argument("--command", help="the command to record (make passes its own)")
    ap.add_argument("--from-json", help="rewrite --report from this JSON, measuring nothing")
    a = ap.parse_args(argv)
    if a.from_json:
        Path(a.report).write_text(report(json.loads(Path(a.from_json).read_text())))
        print(f"bench: wrote {a.report} from {a.from_json}")
        return 0
    if not a.variants or len(a.variants) % 2:
        ap.error("give pairs of variants: the small and the big fixture")
    variant_pairs = list(zip(a.variants[0::2], a.variants[1::2]))
    for small, big in variant_pairs:
        check_pair(small, big)
    base = Path(tempfile.mkdtemp(prefix="thaw-bench-linearity-"))
    pairs = []
    try:
        for small, big in variant_pairs:
            pairs.append(measure(small, big, ik.BUILD / "thaw.iso", a.runs, base))
            print(table(pairs[-1]))
            print(verdict(pairs[-1]), flush=True)
    except RuntimeError as e:
        print(f"bench: {e} (serial logs kept in {base})", file=sys.stderr)
        return 1
    shutil.rmtree(base, ignore_errors=True)
    command = a.command or " ".join([sys.executable, str(Path(__file__).relative_to(ik.REPO))]
                                    + argv)
    qemu = subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True,
                          text=True).stdout.splitlines()[0]
    cores = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    run = {"date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
           "qemu": qemu, "host": f"{platform.machine()}, {cores} cores", "command": command,
           "pairs": pairs}
    out = Path(a.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(run, indent=2) + "\n")
    rep = Path(a.report)
    rep.parent.mkdir(parents=True, exist_ok=True)
    rep.write_text(report(run))
    print(f"bench: wrote {out} and {rep}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
