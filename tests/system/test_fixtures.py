"""The real-image fixtures themselves: Linux hibernates the Debian guest, and Linux's own
resume of that image (the reference for thaw) brings the workload back intact.

Default set: LZO and nocompress under BIOS with 1 vCPU, LZO under UEFI. The other variants
(2 vCPUs, partition, 2 GiB and 4.5 GiB guests) run with THAW_SLOW_TESTS=1.
"""
import os
import re
import struct
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from fixtures.guest_qemu import EXIT_NO_IMAGE, EXIT_OK, disk_image  # noqa: E402
from fixtures.realimage import (HIBERNATE_SIG, NO_IMAGE_RE, RESUMED_RE, SWAP_SIG,  # noqa: E402
                                hibernated_disk, image_info, linux_resume, swap_header)

SF_NOCOMPRESS_MODE = 2      # Linux kernel/power/power.h
SF_CRC32_MODE = 4

slow = pytest.mark.skipif(os.environ.get("THAW_SLOW_TESTS") != "1",
                          reason="slow fixture variant; set THAW_SLOW_TESTS=1")

# lzo-bios-smp1 is resumed by test_image_resumes_once (with the same checks, and a second boot).
DEFAULT = ["none-bios-smp1", "lzo-uefi-smp1"]
SLOW = ["lzo-bios-smp2", "none-bios-smp2", "lzo-uefi-smp2", "none-uefi-smp1",
        "lzo-bios-smp1-part", "lzo-bios-smp1-mem2048-data512",
        # RAM above 4 GiB: the image lists PFNs past 0x100000 (47,472 of 75,843 here).
        "lzo-bios-smp1-mem4608", "none-bios-smp1-mem4608",
        # Swap on other disk controllers (the guest loads their modules).
        "lzo-bios-smp1-nvme", "lzo-uefi-smp1-nvme", "lzo-bios-smp1-part-nvme4k"]


def test_variant_controllers():
    """Controller suffixes: names round-trip, virtio keeps its historic spelling (and so
    its cache keys), each controller's guest disk, thaw's resume= and QEMU arguments."""
    from fixtures.guest_qemu import disk_args
    from fixtures.variant import Variant
    v = Variant.parse("lzo-bios-smp1")
    assert v.controller == "virtio" and "controller" not in repr(v)
    assert (v.swap_dev, v.thaw_resume) == ("vda", "/dev/vda")
    assert disk_args(v, "D") == ["-drive", "file=D,format=raw,if=virtio"]
    cases = {"lzo-bios-smp1-part-nvme": ("nvme0n1p1", 512, "nvme,serial="),
             "lzo-uefi-smp1-nvme4k": ("nvme0n1", 4096, "logical_block_size=4096"),
             "none-bios-smp1-part-sata": ("sda1", 512, "ahci,id=ahci0"),
             "lzo-uefi-smp1-sata": ("sda", 512, "bus=ide.1"),
             "lzo-bios-smp1-scsi": ("sda", 512, "scsi-hd,")}
    for name, (dev, bs, arg) in cases.items():
        v = Variant.parse(name)
        assert v.name == name
        assert (v.swap_dev, v.thaw_resume, v.block_size) == (dev, f"/dev/{dev}", bs)
        assert arg in " ".join(disk_args(v, "D")), (name, disk_args(v, "D"))
    with pytest.raises(ValueError):
        Variant.parse("lzo-bios-smp1-nvme-part")      # fields in their fixed order


def test_variant_swapfile():
    """-swapfile: its own name and key fields (repr names it only when set, so other
    variants' keys stay), a bigger disk for ext4 around the file, virtio whole disk only."""
    from fixtures.variant import Variant
    v = Variant.parse("lzo-uefi-smp1-swapfile")
    assert v.swapfile and v.name == "lzo-uefi-smp1-swapfile" and "swapfile=True" in repr(v)
    assert "swapfile" not in repr(Variant.parse("lzo-uefi-smp1"))
    assert v.disk_mib == Variant.parse("lzo-uefi-smp1").disk_mib + 256
    for bad in ("lzo-bios-smp1-part-swapfile", "lzo-bios-smp1-nvme-swapfile"):
        with pytest.raises(ValueError):
            Variant.parse(bad)


def test_4kn_partition_table(tmp_path):
    """disk_image() on a 4Kn disk: one MBR partition from 1 MiB, counted in 4 KiB blocks."""
    img = tmp_path / "d.img"
    disk_image(img, 16, True, 4096)
    b = img.read_bytes()[:512]
    assert b[510:512] == b"\x55\xaa" and b[446 + 4] == 0x82
    start, count = struct.unpack("<II", b[446 + 8:446 + 16])
    assert (start, count) == (256, 16 * 256 - 256)


def check_hibernated(fx, disk):
    """The disk holds a Linux image whose header matches the variant's compression."""
    hdr = swap_header(disk, fx.variant)
    assert hdr["sig"] == HIBERNATE_SIG
    assert hdr["orig_sig"] == SWAP_SIG
    if fx.variant.compress == "none":
        assert hdr["flags"] & SF_NOCOMPRESS_MODE and not hdr["flags"] & SF_CRC32_MODE
    else:
        assert hdr["flags"] & SF_CRC32_MODE and not hdr["flags"] & SF_NOCOMPRESS_MODE
    info = image_info(disk, fx.variant)
    assert info == fx.meta["image"]
    # One PFN per 8 bytes, 512 per meta page (Linux kernel/power/snapshot.c, pack_pfns()).
    assert info["meta_pages"] == -(-info["image_pages"] // 512)
    # The workload's 64 MiB of random data alone is 16384 pages.
    assert info["image_pages"] > fx.variant.workload_mib * 256


def check_linux_resume(fx, tmp_path):
    disk = fx.disk_copy(tmp_path)
    check_hibernated(fx, disk)
    r = linux_resume(fx, tmp_path, disk=disk)
    t, m = r.run.first(RESUMED_RE)
    assert m is not None, f"no resumed line; log {tmp_path / 'linuxresume.log'}"
    assert m["checksum"] == "ok" and m["counter"] == "ok", m.group(0)
    assert int(m["after"]) > int(m["before"])
    assert r.run.rc == EXIT_OK
    assert r.linuxresume_s < r.back_s <= r.resumed_s
    # Linux's swsusp_check() put the original signature back before reading the image.
    assert swap_header(disk, fx.variant)["sig"] == SWAP_SIG
    return disk


@pytest.mark.parametrize("variant", DEFAULT)
def test_linux_resume(variant, tmp_path):
    check_linux_resume(hibernated_disk(variant), tmp_path)


@slow
@pytest.mark.parametrize("variant", SLOW)
def test_linux_resume_slow(variant, tmp_path):
    check_linux_resume(hibernated_disk(variant), tmp_path)


def test_image_resumes_once(tmp_path):
    """After one resume the same disk holds no image: a second boot finds nothing."""
    fx = hibernated_disk("lzo-bios-smp1")
    disk = check_linux_resume(fx, tmp_path / "first")
    r = linux_resume(fx, tmp_path / "second", disk=disk)
    assert r.run.first(NO_IMAGE_RE)[1] is not None
    assert r.run.first(RESUMED_RE)[1] is None
    assert r.run.rc == EXIT_NO_IMAGE


def test_fresh_swap_has_no_image(tmp_path):
    """The harness can tell "no image" from a resume: a freshly made swap area."""
    fx = hibernated_disk("lzo-bios-smp1")
    disk = tmp_path / "disk.img"
    disk_image(disk, fx.variant.disk_mib, part=False)
    subprocess.run(["mkswap", str(disk)], check=True, capture_output=True)
    r = linux_resume(fx, tmp_path, disk=disk)
    assert r.run.rc == EXIT_NO_IMAGE
    assert r.run.first(RESUMED_RE)[1] is None


def test_corrupted_lzo_image_is_refused(tmp_path):
    """One flipped byte inside the compressed stream: Linux refuses the image (LZO error or
    CRC32 mismatch), the workload never comes back, the signature is reset anyway."""
    fx = hibernated_disk("lzo-bios-smp1")
    disk = fx.disk_copy(tmp_path)
    hdr = swap_header(disk, fx.variant)
    with open(disk, "r+b") as f:
        # Swap-map page: u64 entries[511]; entry 0 is the header page, then the stream.
        f.seek(hdr["image"] * 4096 + 8 * 100)
        (block,) = struct.unpack("<Q", f.read(8))
        assert block != 0
        f.seek(block * 4096 + 2000)
        b = f.read(1)
        f.seek(block * 4096 + 2000)
        f.write(bytes([b[0] ^ 0x5a]))
    r = linux_resume(fx, tmp_path, disk=disk)
    assert r.run.first(RESUMED_RE)[1] is None
    assert r.run.rc == EXIT_NO_IMAGE
    assert swap_header(disk, fx.variant)["sig"] == SWAP_SIG


def test_linux_refuses_other_memory_size(tmp_path):
    """The reference for thaw's memory-map check: a 512 MiB image offered to a 1 GiB machine.
    Linux's boot kernel refuses it (e820 checksum / "Image mismatch: memory size"), after
    resetting the signature (swsusp_check() runs first)."""
    fx = hibernated_disk("lzo-bios-smp1")
    disk = fx.disk_copy(tmp_path)
    r = linux_resume(fx, tmp_path, disk=disk, mem_mib=1024)
    # Linux arch/x86/power/hibernate.c, arch_hibernation_header_restore().
    assert r.run.first(re.compile(r"Hibernate inconsistent memory map detected"))[1]
    assert r.run.first(RESUMED_RE)[1] is None
    assert r.run.rc == EXIT_NO_IMAGE
    assert swap_header(disk, fx.variant)["sig"] == SWAP_SIG
