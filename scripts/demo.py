"""make demo: hibernate a real Debian 12 guest running a memory-checksumming workload,
resume it through thaw.iso in QEMU, and show the workload's own proof that its memory
survived, next to Linux's own resume of the same image (same QEMU settings).

The hibernated disk is built once (tests/fixtures/realimage.py: boot the guest, start
the workload, `echo disk > /sys/power/state`) and cached; every demo resumes a fresh
copy of it. DEMO_VARIANT picks another guest (e.g. none-uefi-smp2)."""
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "tests" / "system"))
import imagekernel as ik  # noqa: E402
from fixtures.guest_qemu import run_qemu  # noqa: E402
from fixtures.realimage import (BACK_RE, RESUMED_RE, hibernated_disk, linux_resume,  # noqa: E402
                                swap_header)

SHOW = ("thaw:", "resume:", "locate:", "virtio-blk:", "WORKLOAD:")


def say(msg):
    print(f"demo: {msg}", flush=True)


def main() -> int:
    variant = os.environ.get("DEMO_VARIANT", "lzo-bios-smp1")
    work = Path(tempfile.mkdtemp(prefix="thaw-demo-"))
    say(f"guest {variant}: Debian 12 (Linux {variant.split('-')[0]} image); hibernating it "
        "if not cached yet (a few minutes the first time)")
    t0 = time.monotonic()
    fx = hibernated_disk(variant)
    say(f"hibernated disk ready in {time.monotonic() - t0:.0f} s: swap header "
        f"{swap_header(fx.disk, fx.variant)['sig']!r}, image {fx.meta['image']['size'] >> 20} MiB")

    say("resuming it through build/thaw.iso (serial console below)")
    disk = fx.disk_copy(work / "thaw")
    run = run_qemu(fx.qemu_args(cdrom=ik.BUILD / "thaw.iso", disk=disk),
                   work / "thaw" / "serial.log", timeout=900, nice=0)
    for t, line in run.lines:
        if line.startswith(SHOW):
            print(f"  [{t:6.2f} s] {line}")
    t_back, _ = run.first(BACK_RE)
    _, proof = run.first(RESUMED_RE)
    if not proof:
        say(f"thaw did not bring the workload back; see {work / 'thaw' / 'serial.log'}")
        return 1
    say(f"swap header afterwards: {swap_header(disk, fx.variant)['sig']!r}")

    say("the same image resumed by Linux itself (a full kernel + initramfs boot)")
    lin = linux_resume(fx, work / "linux", nice=0)
    print()
    print(f"  {'':28}{'Linux resume':>14}{'thaw':>10}")
    print(f"  {'power-on to workload back':28}{lin.back_s:>12.2f} s{t_back:>8.2f} s")
    print(f"  {'workload memory checksum':28}{'ok' if lin.checksum_ok else 'BAD':>14}"
          f"{proof['checksum']:>10}")
    print(f"  {'workload counter':28}{'ok' if lin.counter_ok else 'BAD':>14}{proof['counter']:>10}")
    print(f"\n  thaw / Linux = {t_back / lin.back_s:.2f}")
    print(f"  the workload says: {proof.group(0)}")
    return 0 if proof["checksum"] == "ok" and proof["counter"] == "ok" else 1


if __name__ == "__main__":
    sys.exit(main())
