"""`make bench-disk`: thaw's whole-disk read throughput next to Linux's, in the same
QEMU (same machine, memory and disk attachment), as a ratio, for each disk controller
asked for (--controllers, default virtio-blk, NVMe, SATA (AHCI) and virtio-scsi).

thaw: thaw.test=disk-bench streams the first disk with 16 requests in flight (4 MiB
each, or the largest the controller takes: 512 KiB on QEMU's NVMe) and reports bytes
and nanoseconds (TSC). Linux: Debian 12's kernel (the fixtures' own download) boots an
initramfs whose /init loads the controller's modules and runs
`dd if=/dev/<disk> of=/dev/null bs=4M` with O_DIRECT and buffered; time from
/proc/uptime. Linux's better mode is the comparison. Runs alternate thaw and Linux; the
headline is the median of the per-pair ratios (run-to-run noise on a shared 2-core TCG
host is large, often 2x or more).
"""
import argparse
import gzip
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "rig"))
sys.path.insert(0, str(HERE.parent))

import thawvm  # noqa: E402
from fixtures import debian_kernel, initramfs  # noqa: E402

INIT = HERE / "bench-disk-init.sh"
MEMORY = "1024M"


def bench_disk(size_mib: int) -> Path:
    """A cached disk of size_mib MiB of pseudo-random data (holes would flatter reads)."""
    d = Path(os.environ.get("THAW_CACHE", "/var/tmp/thaw-cache")) / "disks"
    d.mkdir(parents=True, exist_ok=True)
    p = d / f"bench-{size_mib}m.img"
    if not p.exists() or p.stat().st_size != size_mib << 20:
        tmp = p.with_suffix(".tmp")
        block = os.urandom(1 << 20)
        with open(tmp, "wb") as f:
            for i in range(size_mib):
                # Vary every MiB cheaply so no two blocks are equal.
                f.write(i.to_bytes(8, "little") + block[8:])
        tmp.rename(p)
    return p


# Per controller: the QEMU arguments attaching the disk, the disk's name (thaw's and
# Linux's), and the guest module set (fixtures.initramfs; "virtio" = the plain one).
CONTROLLERS = {
    "virtio": (lambda disk: ["-drive", f"file={disk},format=raw,if=none,id=thawdisk0,"
                             "snapshot=on", "-device", "virtio-blk-pci,drive=thawdisk0"],
               "vda", "virtio"),
    "nvme": (lambda disk: ["-drive", f"file={disk},format=raw,if=none,id=thawdisk0,"
                           "snapshot=on", "-device", "nvme,serial=thawbench,drive=thawdisk0"],
             "nvme0n1", "nvme"),
    # SATA on pc: an added AHCI HBA, the disk on its port 0.
    "sata": (lambda disk: ["-device", "ahci,id=ahci0", "-drive", f"file={disk},format=raw,"
                           "if=none,id=thawdisk0,snapshot=on",
                           "-device", "ide-hd,drive=thawdisk0,bus=ahci0.0"],
             "sda", "sata"),
    "scsi": (lambda disk: ["-device", "virtio-scsi-pci,id=scsi0", "-drive", f"file={disk},"
                           "format=raw,if=none,id=thawdisk0,snapshot=on",
                           "-device", "scsi-hd,drive=thawdisk0,bus=scsi0.0"],
             "sda", "scsi"),
}


def thaw_run(disk: Path, controller: str) -> float:
    attach, name, _ = CONTROLLERS[controller]
    r = thawvm.run_thaw("thaw.test=disk-bench thaw.test_exit", memory=MEMORY,
                        extra_args=attach(disk), timeout=600, name=f"bench-disk-{controller}")
    r.assert_exit_ok()
    m = r.expect_line(rf"disk-bench: {name} bytes=(\d+) ns=(\d+) MiB/s=\d+ status=ok")
    return int(m.group(1)) / (int(m.group(2)) / 1e9) / (1 << 20)


def cpio_entry(ino: int, name: str, mode: int, data: bytes) -> bytes:
    """One newc record (Linux Documentation/driver-api/early-userspace/buffer-format.rst)."""
    fields = (ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name) + 1, 0)
    out = b"070701" + b"".join(b"%08X" % f for f in fields) + name.encode() + b"\0"
    out += b"\0" * (-len(out) % 4)
    return out + data + b"\0" * (-len(data) % 4)


def linux_initrd(workdir: Path, controller: str):
    """The fixtures' guest initramfs for the controller with /init replaced: a second
    cpio archive appended to the first overrides the file (the kernel unpacks them in
    order)."""
    kern = debian_kernel.kernel()
    modules = CONTROLLERS[controller][2]
    ctl = None if modules == "virtio" else debian_kernel.controller_modules(kern, modules)
    overlay = cpio_entry(1, "init", 0o100755, INIT.read_bytes()) + cpio_entry(0, "TRAILER!!!", 0, b"")
    rd = workdir / f"bench-initrd-{controller}.gz"
    rd.write_bytes(gzip.compress(initramfs.archive(kern, ctl) + overlay, compresslevel=1))
    return kern.vmlinuz, rd


def linux_run(disk: Path, controller: str, vmlinuz: Path, initrd: Path, workdir: Path) -> dict:
    attach, name, _ = CONTROLLERS[controller]
    thawvm.LOG_DIR.mkdir(parents=True, exist_ok=True)
    log = thawvm.LOG_DIR / f"bench-linux-{controller}.log"     # kept for a failed run
    cmd = ["qemu-system-x86_64", "-machine", "pc", "-m", MEMORY, "-smp", "1",
           "-kernel", str(vmlinuz), "-initrd", str(initrd),
           "-append", f"console=ttyS0 quiet loglevel=3 panic=-1 bench.dev={name}"] + \
        attach(disk) + \
          ["-display", "none", "-no-reboot", "-net", "none", "-serial", f"file:{log}",
           "-monitor", "none"]
    subprocess.run(cmd, timeout=900, stdin=subprocess.DEVNULL, capture_output=True)
    out = {}
    for m in re.finditer(r"BENCH: linux dd (\w+) bytes=(\d+) start=([\d.]+) end=([\d.]+)",
                         log.read_text(errors="replace")):
        secs = float(m.group(4)) - float(m.group(3))
        out[m.group(1)] = int(m.group(2)) / max(secs, 0.01) / (1 << 20)
    if not out:
        raise RuntimeError(f"bench-disk: Linux printed no result; see {log}")
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--mib", type=int, default=1024, help="disk size (at least 1024)")
    ap.add_argument("--controllers", default="virtio,nvme,sata,scsi",
                    help="comma-separated, of: " + ", ".join(CONTROLLERS))
    ap.add_argument("--out", type=Path)
    a = ap.parse_args(argv)
    disk = bench_disk(a.mib)
    results = {}
    for ctl in a.controllers.split(","):
        if ctl not in CONTROLLERS:
            ap.error(f"unknown controller {ctl!r}")
        results[ctl] = bench_controller(disk, ctl, a)
    if a.out:
        # One controller keeps the historic flat layout; several nest by controller.
        out = next(iter(results.values())) if len(results) == 1 else results
        a.out.write_text(json.dumps(out, indent=1))
    return 0


def bench_controller(disk: Path, ctl: str, a) -> dict:
    thaw, linux = [], []
    with tempfile.TemporaryDirectory(prefix="bench-disk-") as tmp:
        vmlinuz, rd = linux_initrd(Path(tmp), ctl)
        for i in range(a.runs):
            thaw.append(thaw_run(disk, ctl))
            res = linux_run(disk, ctl, vmlinuz, rd, Path(tmp))
            linux.append(max(res.values()))
            print(f"bench-disk: {ctl}: run {i + 1}: thaw {thaw[-1]:.0f} MiB/s, Linux dd " +
                  ", ".join(f"{k} {v:.0f}" for k, v in sorted(res.items())) + " MiB/s",
                  flush=True)
    # Each thaw run is paired with the Linux run right after it (similar host load):
    # the median of the pairs' ratios is the headline; best-of-N shows the ceiling.
    ratios = [t / l for t, l in zip(thaw, linux)]
    t, l, r = statistics.median(thaw), statistics.median(linux), statistics.median(ratios)
    print(f"bench-disk: {ctl}: {a.mib} MiB disk, {a.runs} runs: thaw median {t:.0f} MiB/s "
          f"(best {max(thaw):.0f}), Linux dd median {l:.0f} MiB/s (best {max(linux):.0f}); "
          f"ratio thaw/Linux: median of pairs {r:.2f}, best/best {max(thaw) / max(linux):.2f}",
          flush=True)
    return {"controller": ctl, "disk_mib": a.mib, "runs": a.runs, "thaw_mib_s": thaw,
            "linux_mib_s": linux, "ratios": ratios, "thaw_median": t, "linux_median": l,
            "ratio_median": r, "ratio_best": max(thaw) / max(linux)}


if __name__ == "__main__":
    sys.exit(main())
