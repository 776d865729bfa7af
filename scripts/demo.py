"""make demo: hibernate a real Debian guest running a memory-checksumming workload,
resume it through thaw.iso in QEMU, and show the workload's own proof that its memory
survived, next to Linux's own resume of the same image (same QEMU settings).

Every run hibernates the guest anew (tests/fixtures/realimage.py: boot it through GRUB,
start the workload, `echo disk > /sys/power/state`); the kernel, initramfs and ISOs are
cached. thaw and Linux each resume their own copy of that one image. DEMO_VARIANT picks
another guest (e.g. none-uefi-smp2, lz4-bios-smp1-k612, lzo-bios-smp1-la57)."""
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
sys.path.insert(0, str(REPO / "tests" / "rig"))
import imagekernel as ik  # noqa: E402
from fixtures.debian_kernel import SUITES  # noqa: E402
from fixtures.guest_qemu import run_qemu  # noqa: E402
from fixtures.realimage import (BACK_RE, RESUMED_RE, hibernate_fresh, linux_resume,  # noqa: E402
                                swap_header)
from fixtures.variant import as_variant  # noqa: E402

SHOW = ("thaw:", "resume:", "locate:", "virtio-blk:", "WORKLOAD:")


def say(msg):
    print(f"demo: {msg}", flush=True)


def main() -> int:
    variant = os.environ.get("DEMO_VARIANT", "lzo-bios-smp1")
    work = Path(tempfile.mkdtemp(prefix="thaw-demo-"))
    release = SUITES[as_variant(variant).kernel].release
    say(f"guest {variant}: booting {release}'s kernel through GRUB in QEMU, starting the workload "
        "and hibernating it (echo disk > /sys/power/state)")
    t0 = time.monotonic()
    fx = hibernate_fresh(variant, work / "hibernated")
    hib = fx.meta["hibernate"]
    say(f"hibernated in {time.monotonic() - t0:.0f} s (workload ready at {hib['ready_s']:.1f} s, "
        f"image written in {hib['write_s']:.1f} s): swap header "
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
    if proof["checksum"] == "ok" and proof["counter"] == "ok":
        shutil.rmtree(work, ignore_errors=True)
        return 0
    say(f"logs kept in {work}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
