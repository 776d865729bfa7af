"""`thawctl kexec` (tools/kexec.c): the command line it builds from a fake /sys and /proc,
and the real thing — a Linux guest runs `thawctl kexec --exec`, kexec-tools' multiboot2-x86
loader starts thaw, and thaw resumes the image Linux hibernated onto the guest's disk.
"""
import os
import re
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import thawvm  # noqa: E402
from fixtures.guest_qemu import EXIT_OK, run_qemu  # noqa: E402
from fixtures.realimage import (BACK_RE, RESUMED_RE, SWAP_SIG, hibernated_disk,  # noqa: E402
                                swap_header)

THAWCTL = thawvm.BUILD / "asan" / "thawctl"     # host runs: under ASan + UBSan
GUEST_THAWCTL = thawvm.BUILD / "thawctl"        # what a user installs, in the guest
SLOW = pytest.mark.skipif(os.environ.get("THAW_SLOW_TESTS") != "1", reason="set THAW_SLOW_TESTS=1")

# (start, end inclusive, name as Linux shows it, e820 type) like QEMU's pc machine.
MEMMAP = [(0x0, 0x9fbff, "System RAM", 1), (0x9fc00, 0x9ffff, "Reserved", 2),
          (0xf0000, 0xfffff, "Reserved", 2), (0x100000, 0x1ffdffff, "System RAM", 1),
          (0x1ffe0000, 0x1fffffff, "Reserved", 2), (0xfeffc000, 0xfeffffff, "Reserved", 2),
          (0xfffc0000, 0xffffffff, "Reserved", 2)]


def fake_sysroot(root: Path, memmap, swaps="", systab=None):
    for i, (start, end, name, _) in enumerate(memmap):
        d = root / f"sys/firmware/memmap/{i}"
        d.mkdir(parents=True)
        (d / "start").write_text(f"0x{start:x}\n")
        (d / "end").write_text(f"0x{end:x}\n")
        (d / "type").write_text(name + "\n")
    (root / "proc").mkdir(parents=True, exist_ok=True)
    (root / "proc/swaps").write_text("Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n" + swaps)
    if systab is not None:
        (root / "sys/firmware/efi").mkdir(parents=True)
        (root / "sys/firmware/efi/systab").write_text(systab)


def e820_crc(memmap) -> int:
    """Linux arch/x86/power/hibernate.c compute_e820_crc32(): CRC-32 of u32 nr_entries and
    the packed {u64 addr, u64 size, u32 type} entries."""
    raw = struct.pack("<I", len(memmap))
    raw += b"".join(struct.pack("<QQI", s, e - s + 1, t) for s, e, _, t in memmap)
    return zlib.crc32(raw)


def thawctl_kexec(sysroot: Path, *args):
    return subprocess.run([str(THAWCTL), "kexec", "--dry-run", f"--thaw={thawvm.ELF}", *args],
                          env={"THAWCTL_SYSROOT": str(sysroot), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True)


def load_cmdline(out: str) -> str:
    m = re.search(r"^\+ kexec -l (\S+) --type multiboot2-x86 --command-line=(.*)$", out, re.M)
    assert m, out
    return m.group(2)


def test_cmdline_from_swap_partition(tmp_path):
    """The active swap area by priority, named by the UUID in its header; e820 checksum."""
    uuid = bytes(range(0x10, 0x20))
    for name in ("low", "high"):
        swap = bytearray(4096)
        swap[1036:1052] = uuid if name == "high" else bytes(range(16, 0, -1))
        swap[4086:4096] = SWAP_SIG
        (tmp_path / name).write_bytes(bytes(swap))
    swaps = f"{tmp_path}/low partition 1024 0 -2\n{tmp_path}/high partition 1024 0 5\n"
    fake_sysroot(tmp_path / "root", MEMMAP, swaps)
    r = thawctl_kexec(tmp_path / "root")
    assert r.returncode == 0, r.stderr
    cmd = load_cmdline(r.stdout)
    assert cmd.split() == ["resume=UUID=10111213-1415-1617-1819-1a1b1c1d1e1f",
                           f"thaw.e820_crc=0x{e820_crc(MEMMAP):08x}"]
    assert not re.search(r"^\+ kexec -e$", r.stdout, re.M)


def test_cmdline_finds_the_image(tmp_path):
    """No --resume: the device whose swap header says S1SUSPEND wins over active swap."""
    root = tmp_path / "root"
    fake_sysroot(root, MEMMAP, swaps="/dev/vdb partition 1024 0 5\n")
    (root / "dev").mkdir()
    parts = ""
    for name, sig, uuid in (("vda", None, None), ("vda1", SWAP_SIG, bytes(16)),
                            ("vda2", b"S1SUSPEND\0", bytes(range(0xa0, 0xb0))),
                            ("vdb", SWAP_SIG, bytes(range(16)))):
        page = bytearray(4096)
        if sig:
            page[1036:1052] = uuid
            page[4086:4096] = sig
        else:
            page[510:512] = b"\x55\xaa"
        (root / "dev" / name).write_bytes(bytes(page))
        parts += f" 254 {len(parts)} 4 {name}\n"
    (root / "proc/partitions").write_text("major minor  #blocks  name\n\n" + parts)
    r = thawctl_kexec(root)
    assert r.returncode == 0, r.stderr
    assert load_cmdline(r.stdout).split()[0] == "resume=UUID=a0a1a2a3-a4a5-a6a7-a8a9-aaabacadaeaf"
    # Without a UUID in the header, the device name.
    page = bytearray((root / "dev/vda2").read_bytes())
    page[1036:1052] = bytes(16)
    (root / "dev/vda2").write_bytes(bytes(page))
    assert load_cmdline(thawctl_kexec(root).stdout).split()[0] == "resume=/dev/vda2"


def test_cmdline_explicit_uefi_and_exec(tmp_path):
    """--resume wins over /proc/swaps; the RSDP comes from the EFI system table (ACPI20
    preferred); --exec adds `kexec -e`; --append goes last."""
    fake_sysroot(tmp_path, MEMMAP[:3], swaps="/dev/nonexistent partition 1 0 1\n",
                 systab="MPS=0xfc000\nACPI=0x7f77e014\nACPI20=0x7f77e000\nSMBIOS=0x7f9b6000\n")
    r = thawctl_kexec(tmp_path, "--resume=/dev/vdb2", "--resume-offset=34816", "--exec",
                      "--append=thaw.test_exit loglevel=7")
    assert r.returncode == 0, r.stderr
    assert load_cmdline(r.stdout).split() == [
        "resume=/dev/vdb2", "resume_offset=34816", f"thaw.e820_crc=0x{e820_crc(MEMMAP[:3]):08x}",
        "acpi_rsdp=0x7f77e000", "thaw.test_exit", "loglevel=7"]
    assert re.search(r"^\+ kexec -e$", r.stdout, re.M)


def test_cmdline_hidden_e820_type(tmp_path):
    """A memmap type whose e820 number Linux does not show ("Unknown E820 type", e.g.
    GRUB's type 20 under UEFI): taken from the boot log if it still has the line, else
    no checksum and a warning."""
    memmap = MEMMAP[:1] + [(0x1f5ec000, 0x1f6ebfff, "Unknown E820 type", 20)]
    fake_sysroot(tmp_path, memmap)
    r = thawctl_kexec(tmp_path, "--resume=/dev/vda")
    assert r.returncode == 0
    assert "thaw.e820_crc" not in load_cmdline(r.stdout)
    assert "e820" in r.stderr
    (tmp_path / "dev").mkdir()
    (tmp_path / "dev/kmsg").write_text(
        "6,1,0,-;BIOS-e820: [mem 0x0000000000000000-0x000000000009fbff] usable\n"
        "6,9,0,-;BIOS-e820: [mem 0x000000001f5ec000-0x000000001f6ebfff] type 20\n")
    r = thawctl_kexec(tmp_path, "--resume=/dev/vda")
    assert f"thaw.e820_crc=0x{e820_crc(memmap):08x}" in load_cmdline(r.stdout).split(), r.stderr


def test_usage_errors(tmp_path):
    assert thawctl_kexec(tmp_path, "--bogus").returncode == 2
    r = subprocess.run([str(THAWCTL), "kexec", "--thaw=/nonexistent/thaw.elf"],
                       capture_output=True, text=True)
    assert r.returncode == 3 and "/nonexistent/thaw.elf" in r.stderr


def swap_uuid(disk: Path, offset=0) -> str:
    """The UUID mkswap wrote (util-linux swapheader: offset 1036)."""
    with open(disk, "rb") as f:
        f.seek(offset + 1036)
        u = f.read(16).hex()
    return f"{u[:8]}-{u[8:12]}-{u[12:16]}-{u[16:20]}-{u[20:]}"


@pytest.mark.parametrize("variant", ["lzo-bios-smp1",
                                     pytest.param("lzo-uefi-smp1", marks=SLOW),
                                     pytest.param("lzo-bios-smp1-la57", marks=SLOW)])
def test_kexec_resumes(tmp_path, variant):
    """Linux (same machine the image was made on) runs `thawctl kexec --exec`; thaw
    starts with kexec's boot information and command line and resumes the workload.
    -la57: the Linux that kexecs runs 5-level paging and so does the image; thaw starts
    4-level (kexec's purgatory turns paging off) and switches depth to hand over."""
    from kexecguest import kexec_iso

    fx = hibernated_disk(variant)
    disk = fx.disk_copy(tmp_path)
    uuid = swap_uuid(disk)
    iso = kexec_iso(tmp_path, GUEST_THAWCTL, thawvm.ELF,
                    [f"--resume=UUID={uuid}", "--append=thaw.test_exit", "--exec"])
    run = run_qemu(fx.qemu_args(cdrom=iso, disk=disk, workdir=tmp_path),
                   tmp_path / "serial.log", timeout=600)
    log = f"log {tmp_path / 'serial.log'}"
    t_kexec, _ = run.first(re.compile(r"KEXEC: running thawctl kexec"))
    t_thaw, _ = run.first(re.compile(r'boot: loaded by "kexec[^"]*" \(kexec\)'))
    assert t_kexec is not None, log
    assert t_thaw is not None and t_thaw > t_kexec, f"thaw did not start under kexec; {log}"
    _, cmd = run.first(re.compile(r'boot: command line "(.*)"'))
    assert cmd and f"resume=UUID={uuid}" in cmd[1] and "thaw.e820_crc=0x" in cmd[1], log
    assert "/boot/thaw.elf" not in cmd[1], "kexec's image path must not reach the options"
    t_back, _ = run.first(BACK_RE)
    _, m = run.first(RESUMED_RE)
    assert t_back is not None and m is not None, f"workload did not come back; {log}"
    assert m["checksum"] == "ok" and m["counter"] == "ok", m.group(0)
    assert run.rc == EXIT_OK, f"rc={run.rc}; {log}"
    assert swap_header(disk, fx.variant)["sig"] == SWAP_SIG
