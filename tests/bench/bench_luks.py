"""`make bench-luks`: thaw's LUKS2 unlock time and decrypted read throughput next to
Linux's, in the same QEMU machine on the same volume.

The volume: the real fixture lzo-bios-smp1-luks (tests/fixtures/dmstack.py: LUKS2,
aes-xts-plain64, 512-bit key, 512-byte sectors, a hibernated Debian guest's swap inside),
on its own machine (pc, 512 MiB, one vCPU, a CPU with AES-NI). Its keyslot is replaced,
per key-derivation setting, by one made with cryptsetup luksAddKey (the fixture's cheap
PBKDF2; PBKDF2-SHA256 with 200000 iterations; Argon2id t=4, 64 MiB, one lane), so both
sides derive the same key from the same slot.

thaw: the passphrase typed at its prompt, then thaw.test=disk-bench:dm-0 (read all of
the decrypted device, 16 requests in flight) or thaw.test=disks; "luks: vda: unlocked
in N ms" (key derivation, anti-forensic merge, digest) and "disk-bench: dm-0 bytes= ns=".
Linux: the fixture guest's kernel and initramfs plus cryptsetup (thawtest=cryptbench,
tests/bench/bench-luks.sh): `cryptsetup open` timed around the whole command (process
start with warm libraries, header read, key derivation, dm-crypt table; a cold
`cryptsetup --version` before it shows what starting the program costs), then dd of /dev/mapper/vda_crypt,
O_DIRECT and buffered (the better one counts). Runs alternate thaw and Linux; the
headline is the median of the per-pair ratios (a shared 2-core TCG host is noisy).
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "rig"))
sys.path.insert(0, str(HERE.parent))

import imagekernel as ik  # noqa: E402
from fixtures import dmstack  # noqa: E402
from fixtures.debian_kernel import kernel  # noqa: E402
from fixtures.guest_iso import guest_iso  # noqa: E402
from fixtures.guest_qemu import run_qemu  # noqa: E402
from fixtures.realimage import CMDLINE_BASE, hibernated_disk  # noqa: E402

VARIANT = "lzo-bios-smp1-luks"
PROMPT = re.compile(r"luks: vda is encrypted")
KDFS = {
    "pbkdf2-sha256 1000 it (the fixture's)": ["--pbkdf", "pbkdf2", "--hash", "sha256",
                                             "--pbkdf-force-iterations", "1000"],
    "pbkdf2-sha256 200000 it": ["--pbkdf", "pbkdf2", "--hash", "sha256",
                                "--pbkdf-force-iterations", "200000"],
    "argon2id t=4 m=64MiB p=1": ["--pbkdf", "argon2id", "--pbkdf-force-iterations", "4",
                                 "--pbkdf-memory", "65536", "--pbkdf-parallel", "1"],
}


def volume(fx, tmp: Path, kdf: list) -> Path:
    """A copy of the fixture's disk whose only keyslot is made with kdf."""
    disk = fx.disk_copy(tmp, "bench.img")
    pw = tmp / "pass"
    pw.write_text(dmstack.PASSPHRASE)
    subprocess.run(["cryptsetup", "luksAddKey", "--batch-mode", "--key-file", str(pw),
                    "--key-slot", "1", *kdf, str(disk), str(pw)], check=True,
                   capture_output=True)
    subprocess.run(["cryptsetup", "luksKillSlot", "--batch-mode", "--key-file", str(pw),
                    str(disk), "0"], check=True, capture_output=True)
    return disk


def thaw_run(fx, disk: Path, tmp: Path, read: bool) -> dict:
    test = "disk-bench:dm-0" if read else "disks"
    qemu = fx.qemu_args(cdrom=ik.thaw_iso(f"thaw.test_exit thaw.test={test}"), disk=disk,
                        workdir=tmp)
    run = run_qemu(qemu, tmp / "thaw.log", timeout=900, keys=dmstack.PASSPHRASE + "\r",
                   keys_after=PROMPT)
    text = run.text
    m = re.search(r"luks: vda: unlocked in (\d+) ms", text)
    if run.rc != 33 or not m or "AES-NI" not in text:
        raise RuntimeError(f"bench-luks: thaw run failed (rc {run.rc}):\n{text[-3000:]}")
    out = {"unlock_ms": int(m[1])}
    if read:
        b = re.search(r"disk-bench: dm-0 bytes=(\d+) ns=(\d+) MiB/s=\d+ status=ok", text)
        if not b:
            raise RuntimeError(f"bench-luks: thaw read no result:\n{text[-3000:]}")
        out["read_mib_s"] = int(b[1]) / (int(b[2]) / 1e9) / (1 << 20)
        out["read_bytes"] = int(b[1])
    return out


def linux_iso(fx, tmp: Path, read: bool) -> Path:
    kern = kernel(fx.variant.kernel)
    files = [("dm/bench.sh", (HERE / "bench-luks.sh").read_bytes(), 0o755),
             ("dm/pass", dmstack.PASSPHRASE.encode(), 0o600)]
    if read:
        files.append(("dm/read", b"", 0o644))
    rd = dmstack.bench_initrd(kern, fx.variant, files, tmp / f"initrd-{int(read)}.gz")
    return guest_iso(kern.vmlinuz, rd, f"{CMDLINE_BASE} thawtest=cryptbench")


def linux_run(fx, disk: Path, iso: Path, tmp: Path, read: bool) -> dict:
    run = run_qemu(fx.qemu_args(cdrom=iso, disk=disk, workdir=tmp), tmp / "linux.log",
                   timeout=900)
    text = run.text
    m = re.search(r"BENCH: linux unlock ms=(\d+)", text)
    if run.rc != 33 or not m:
        raise RuntimeError(f"bench-luks: Linux run failed (rc {run.rc}):\n{text[-3000:]}")
    out = {"unlock_ms": int(m[1])}
    e = re.search(r"BENCH: linux exec ms=(\d+)", text)
    if e:
        out["exec_ms"] = int(e[1])
    if read:
        modes = {r[1]: int(r[2]) / (max(int(r[3]), 10) / 1e3) / (1 << 20) for r in
                 re.finditer(r"BENCH: linux read (\w+) bytes=(\d+) ms=(\d+)", text)}
        if not modes:
            raise RuntimeError(f"bench-luks: Linux read no result:\n{text[-3000:]}")
        out["read_modes_mib_s"] = modes
        out["read_mib_s"] = max(modes.values())
    return out


def med(xs):
    return statistics.median(xs) if xs else float("nan")


def bench(runs: int) -> dict:
    fx = hibernated_disk(VARIANT)
    results = {}
    with tempfile.TemporaryDirectory(prefix="bench-luks-") as t:
        tmp = Path(t)
        for i, (name, kdf) in enumerate(KDFS.items()):
            read = i == 0
            disk = volume(fx, tmp, kdf)
            iso = linux_iso(fx, tmp, read)
            thaw, linux = [], []
            for r in range(runs):
                thaw.append(thaw_run(fx, disk, tmp, read))
                linux.append(linux_run(fx, disk, iso, tmp, read))
                print(f"bench-luks: {name}: run {r + 1}: thaw {thaw[-1]}, Linux {linux[-1]}",
                      flush=True)
            res = {"thaw": thaw, "linux": linux,
                   "unlock_ratio": med([a["unlock_ms"] / max(b["unlock_ms"], 1)
                                        for a, b in zip(thaw, linux)])}
            if read:
                res["read_ratio"] = med([a["read_mib_s"] / b["read_mib_s"]
                                         for a, b in zip(thaw, linux)])
            results[name] = res
            disk.unlink()
    return results


def report(results: dict, runs: int) -> str:
    qemu = subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True,
                          text=True).stdout.splitlines()[0]
    lines = ["# bench-luks: LUKS2 unlock and decrypted read, thaw next to Linux",
             "",
             f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {qemu}, TCG, "
             f"{os.cpu_count()} host cores shared; `make bench-luks` "
             f"(tests/bench/bench_luks.py), {runs} runs each, medians.",
             f"Volume: the fixture {VARIANT} (LUKS2, aes-xts-plain64, 512-bit key), "
             f"machine pc, 512 MiB, 1 vCPU, -cpu with AES-NI; thaw uses AES-NI, Linux "
             f"aesni_intel.", "",
             "| key derivation | thaw unlock ms | Linux `cryptsetup open` ms | thaw/Linux | "
             "(Linux: cold `cryptsetup --version` ms) |",
             "|---|---|---|---|---|"]
    for name, r in results.items():
        lines.append(f"| {name} | {med([x['unlock_ms'] for x in r['thaw']]):.0f} | "
                     f"{med([x['unlock_ms'] for x in r['linux']]):.0f} | "
                     f"{r['unlock_ratio']:.2f} | "
                     f"{med([x.get('exec_ms', 0) for x in r['linux']]):.0f} |")
    lines += ["", "| decrypted read of dm-0 | thaw MiB/s | Linux dd MiB/s (best of "
              "O_DIRECT, buffered) | thaw/Linux |", "|---|---|---|---|"]
    for name, r in results.items():
        if "read_ratio" in r:
            mib = r["thaw"][0]["read_bytes"] >> 20
            lines.append(f"| {mib} MiB | {med([x['read_mib_s'] for x in r['thaw']]):.1f} | "
                         f"{med([x['read_mib_s'] for x in r['linux']]):.1f} | "
                         f"{r['read_ratio']:.2f} |")
    lines += ["", "thaw's unlock time is its own measurement (key derivation, AF merge, "
              "digest); Linux's is the whole `cryptsetup open` command timed by the guest "
              "(10 ms steps), so it also pays for starting a dynamically linked program "
              "(libraries already warm) and loading the dm-crypt table.", ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", type=Path, help="JSON results")
    ap.add_argument("--report", type=Path, help="Markdown report")
    a = ap.parse_args(argv)
    if shutil.which("cryptsetup") is None:
        ap.error("needs cryptsetup (scripts/deps.sh)")
    results = bench(a.runs)
    text = report(results, a.runs)
    print(text)
    if a.out:
        a.out.write_text(json.dumps(results, indent=1))
    if a.report:
        a.report.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
