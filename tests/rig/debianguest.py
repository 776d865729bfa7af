"""The Debian guest for the install test: a Debian 12 (bookworm) system with systemd, its
kernel and GRUB for BIOS, on a raw disk (tests/guest/mkrootfs.sh and mkdisk.sh), booted in
QEMU. The release is GUEST_SERIES's suite (tests/fixtures/debian_kernel.py), whatever the
host runs.

    base = base_disk()                  # cached; first build: debootstrap, a few minutes
    disk = copy_disk(base, tmp_path)    # a private writable copy
    ctl = control_disk(tmp_path, tar)   # /dev/vdb: what the guest's agent unpacks at setup
    run = boot(disk, ctl, tmp_path / "boot2.log")              # from the disk, through GRUB
    run = boot(disk, ctl, log, kernel=kernel_files(base))      # QEMU -kernel (setup boot)

Cache: ${THAW_CACHE:-/var/tmp/thaw-cache}/guest/{rootfs,disk}-<key>, keyed by the scripts.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))

from fixtures import cache, debian_kernel  # noqa: E402
from fixtures.guest_qemu import run_qemu, sparse_copy  # noqa: E402

GUEST = REPO / "tests" / "guest"
GUEST_SERIES = debian_kernel.DEFAULT   # the guest's release and kernel: Debian 12's
MEM_MIB = 512
CONTROL_MIB = 16
PART2_START = (1 + 1792) << 20      # mkdisk.sh: 1 MiB gap, 1792 MiB root, then swap


def guest_cache() -> Path:
    d = Path(os.environ.get("THAW_CACHE", "/var/tmp/thaw-cache")) / "guest"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _prune(prefix: str, keep: Path):
    """Drop entries built from older scripts (a root tree or disk is ~0.7 GB)."""
    for d in guest_cache().glob(f"{prefix}-*"):
        if d != keep and d.is_dir() and not d.name.count(".tmp"):
            shutil.rmtree(d, ignore_errors=True)
            Path(str(d) + ".lock").unlink(missing_ok=True)


def rootfs() -> Path:
    """The debootstrap tree, built once per version of mkrootfs.sh."""
    suite = debian_kernel.SUITES[GUEST_SERIES].codename
    entry = guest_cache() / f"rootfs-{cache.key(cache.file_hash(GUEST / 'mkrootfs.sh'), suite)}"

    def build(tmp: Path):
        debs = tmp / "kernel-debs"
        debian_kernel.download_debs(GUEST_SERIES, debs)
        subprocess.run(["sh", str(GUEST / "mkrootfs.sh"), str(tmp / "root"), suite, str(debs),
                        debian_kernel.mirror()],
                       check=True, stdout=open(tmp / "build.log", "w"), stderr=subprocess.STDOUT)
        shutil.rmtree(debs)

    if not (entry / ".done").exists():
        cache.build_once(entry, build)
        _prune("rootfs", entry)
    return entry / "root"


def base_disk() -> Path:
    """The guest disk without thaw and without GRUB in its boot sector."""
    root = rootfs()
    parts = [root.parent.name] + [cache.file_hash(GUEST / f) for f in
                                  ("mkdisk.sh", "agent.sh", "sleep-hook.sh",
                                                       "thaw-test-agent.service")]
    entry = guest_cache() / f"disk-{cache.key(*parts)}"

    def build(tmp: Path):
        subprocess.run(["sh", str(GUEST / "mkdisk.sh"), str(root), str(tmp / "disk.img")],
                       check=True, capture_output=True)
        (tmp / "disk.img").chmod(0o444)

    if not (entry / ".done").exists():
        cache.build_once(entry, build)
        _prune("disk", entry)
    return entry / "disk.img"


def kernel_files() -> tuple:
    """(vmlinuz, initrd) of the guest's installed kernel, for the setup boot."""
    boot = rootfs() / "boot"
    vmlinuz = sorted(boot.glob("vmlinuz-*"))[-1]
    initrd = boot / vmlinuz.name.replace("vmlinuz-", "initrd.img-")
    return vmlinuz, initrd


def copy_disk(base: Path, workdir: Path) -> Path:
    dst = Path(workdir) / "disk.img"
    sparse_copy(base, dst)
    return dst


def control_disk(workdir: Path, tar: Path) -> Path:
    """A fixed-size raw disk holding tar (read in the guest with `tar -xf /dev/vdb`)."""
    data = Path(tar).read_bytes()
    assert len(data) <= CONTROL_MIB << 20, "install tree too large for the control disk"
    out = Path(workdir) / "control.img"
    with open(out, "wb") as f:
        f.write(data)
        f.truncate(CONTROL_MIB << 20)
    return out


def qemu_args(disk: Path, control: Path, kernel=None, append="") -> list:
    """The same machine for every boot: what Linux hibernates on, thaw resumes on."""
    args = ["qemu-system-x86_64", "-machine", "pc", "-m", f"{MEM_MIB}M", "-smp", "1",
            "-drive", f"file={disk},format=raw,if=virtio",
            "-drive", f"file={control},format=raw,if=virtio",
            "-net", "none", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
            "-display", "none", "-serial", "stdio", "-no-reboot"]
    if kernel:
        args += ["-kernel", str(kernel[0]), "-initrd", str(kernel[1]), "-append", append]
    return args


# A boot is judged by its silence (run_qemu): every step the guest takes prints to the
# serial console — the kernel at loglevel 7 while hibernating, systemd's job status and
# the agent's "waiting for" lines while it waits for a device.
BOOT_SILENCE_S = 600


def boot(disk, control, log, *, kernel=None, append="", stop_re=None):
    """One boot until the guest stops QEMU (or stop_re matches a serial line)."""
    return run_qemu(qemu_args(disk, control, kernel, append), log, BOOT_SILENCE_S,
                    stop_re=stop_re)


def read_file(disk: Path, path: str, part_offset=1 << 20) -> bytes:
    """A file from the guest's root filesystem, read on the host with debugfs."""
    r = subprocess.run(["debugfs", "-R", f"cat {path}", f"{disk}?offset={part_offset}"],
                       check=True, capture_output=True)
    return r.stdout
