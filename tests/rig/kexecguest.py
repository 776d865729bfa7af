"""The kexec test guest: the fixtures' Debian kernel booted from a GRUB ISO with an initramfs
holding busybox, kexec-tools (the Debian package's /sbin/kexec and every library ldd names),
build/thawctl and build/thaw.elf; its /init (tests/guest/kexec-init.sh) runs
`thawctl kexec ARGS...`, so thaw starts the way a user would start it from a running Linux.
"""
import gzip
import shutil
import stat
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))

from fixtures.debian_kernel import kernel  # noqa: E402
from fixtures.guest_iso import GRUB_CFG  # noqa: E402
from fixtures.initramfs import BUSYBOX, _entry  # noqa: E402

INIT = REPO / "tests" / "guest" / "kexec-init.sh"
KEXEC = Path("/sbin/kexec")
CMDLINE = "console=ttyS0,115200 loglevel=4 panic=-1"


def shared_libs(binary: Path) -> list:
    """Absolute paths of the libraries and loader binary needs, as ldd reports them."""
    out = subprocess.run(["ldd", str(binary)], check=True, capture_output=True, text=True).stdout
    libs = []
    for line in out.splitlines():
        words = line.split()
        path = words[2] if len(words) >= 3 and words[1] == "=>" else words[0]
        if path.startswith("/"):
            libs.append(Path(path))
    return libs


def _files(thawctl: Path, thaw_elf: Path, args: list) -> dict:
    """{path in the initramfs: (mode, bytes)} for everything but directories."""
    files = {
        "bin/busybox": (0o755, BUSYBOX.read_bytes()),
        "init": (0o755, INIT.read_bytes()),
        "sbin/kexec": (0o755, KEXEC.read_bytes()),
        "sbin/thawctl": (0o755, thawctl.read_bytes()),
        "boot/thaw.elf": (0o644, thaw_elf.read_bytes()),
        "thawtest/args": (0o644, "".join(a + "\n" for a in args).encode()),
    }
    for binary in (KEXEC, thawctl):
        for lib in shared_libs(binary):
            # Keep the path ldd resolved through (the loader's is fixed in the binary).
            files[str(lib).lstrip("/")] = (0o755, lib.resolve().read_bytes())
    return files


def initramfs(thawctl: Path, thaw_elf: Path, args: list) -> bytes:
    """A gzip'd newc archive; /dev/console exists before devtmpfs, as the kernel needs."""
    files = _files(thawctl, thaw_elf, args)
    dirs = {"dev", "proc", "sys", "tmp"}
    for path in files:
        parts = path.split("/")[:-1]
        dirs.update("/".join(parts[:i + 1]) for i in range(len(parts)))
    items = [(d, stat.S_IFDIR | 0o755, b"", (0, 0)) for d in sorted(dirs)]
    items.append(("dev/console", stat.S_IFCHR | 0o600, b"", (5, 1)))
    items += [(p, stat.S_IFREG | mode, data, (0, 0)) for p, (mode, data) in sorted(files.items())]
    out = b"".join(_entry(i + 1, *it) for i, it in enumerate(items))
    out += _entry(0, "TRAILER!!!", 0)
    return gzip.compress(out, compresslevel=6, mtime=0)


def kexec_iso(workdir: Path, thawctl: Path, thaw_elf: Path, args: list) -> Path:
    """A GRUB ISO (BIOS + UEFI) booting the guest kernel with that initramfs."""
    root = Path(workdir) / "kexec-iso"
    shutil.rmtree(root, ignore_errors=True)
    (root / "boot/grub").mkdir(parents=True)
    shutil.copyfile(kernel().vmlinuz, root / "boot/vmlinuz")
    (root / "boot/initrd.gz").write_bytes(initramfs(thawctl, thaw_elf, args))
    (root / "boot/grub/grub.cfg").write_text(GRUB_CFG.format(cmdline=CMDLINE))
    iso = Path(workdir) / "kexec-guest.iso"
    subprocess.run(["grub-mkrescue", "-o", str(iso), str(root)], check=True, capture_output=True)
    shutil.rmtree(root)
    return iso
