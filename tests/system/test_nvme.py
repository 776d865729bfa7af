"""NVMe: known data read at many offsets and sizes (sync and batched async) and
streamed over whole namespaces, every checksum recomputed here from the image; 512-
and 4096-byte LBA formats and two namespaces on one controller; SeaBIOS (pc, q35)
and OVMF (q35, registers above 4 GiB); the controller the firmware left enabled;
write + flush the host sees; an NVMe disk beside a virtio disk with resume= naming
partitions on it; media errors from QEMU's blkdebug and a stalled controller; and a
real Debian guest hibernated by Linux to swap on NVMe, resumed by thaw."""
import os
import re
import sys

import pytest

import diskimg
import imagekernel as ik
from thawvm import Disk, run_thaw

sys.path.insert(0, str(ik.REPO / "tests"))
from fixtures.guest_qemu import run_qemu  # noqa: E402
from fixtures.realimage import RESUMED_RE, hibernated_disk, swap_header  # noqa: E402

READ_RE = re.compile(r"disk-read: (nvme\w+) (sync|async) sector=(\d+) count=(\d+) "
                     r"crc=([0-9a-f]{8}) status=(.*)")
WHOLE_RE = re.compile(r"disk-read: (nvme\w+) whole sectors=(\d+) crc=([0-9a-f]{8}) "
                      r"status=(\S+)")
SLOW = os.environ.get("THAW_SLOW_TESTS") == "1"

# (firmware, machine): where the firmware leaves the controller and its registers.
MACHINES = [("bios", "pc"), ("bios", "q35"), ("uefi", "q35")]


def nvme_args(ctrl_id, namespaces, serial="thaw0001"):
    """One controller with explicit namespaces [(image, lba_bytes), …], NSIDs 1, 2, …"""
    args = ["-device", f"nvme,serial={serial},id={ctrl_id}"]
    for i, (image, lba) in enumerate(namespaces, 1):
        drive = f"{ctrl_id}d{i}"
        args += ["-drive", f"file={image},format=raw,if=none,id={drive}",
                 "-device", f"nvme-ns,drive={drive},bus={ctrl_id},nsid={i},"
                 f"logical_block_size={lba},physical_block_size={lba}"]
    return args


def check_reads(r, images, blocks):
    """Every read line's checksum equals the host's and keeps to whole logical blocks;
    returns how many lines were checked."""
    return diskimg.check_reads(r.lines, images, READ_RE, WHOLE_RE, blocks)


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    d = tmp_path_factory.mktemp("nvme")
    # Sizes that end in a short request when streamed; the 4Kn one in whole blocks.
    return {"nvme0n1": diskimg.random_disk(d / "a.img", 40 * 1024 * 1024 + 7 * 512, seed=11),
            "nvme0n2": diskimg.random_disk(d / "b.img", 24 * 1024 * 1024 + 3 * 4096, seed=12)}


@pytest.mark.parametrize("firmware,machine", MACHINES, ids=[f"{f}-{m}" for f, m in MACHINES])
def test_read_pattern_two_namespaces(images, firmware, machine):
    blocks = {"nvme0n1": 512, "nvme0n2": 4096}
    extra = nvme_args("nv0", [(images["nvme0n1"], 512), (images["nvme0n2"], 4096)])
    r = run_thaw("thaw.test=disk-read thaw.test_exit", firmware=firmware, machine=machine,
                 extra_args=extra, timeout=300, name=f"nvmeread-{firmware}-{machine}")
    r.assert_exit_ok()
    size_a, size_b = (images[n].stat().st_size for n in ("nvme0n1", "nvme0n2"))
    r.expect_line(rf"nvme: nvme0n1: namespace 1, {size_a // 512} sectors .*, "
                  r"512-byte logical blocks")
    r.expect_line(rf"nvme: nvme0n2: namespace 2, {size_b // 512} sectors .*, "
                  r"4096-byte logical blocks")
    r.expect_line(r"disks: nvme0n2: disk, \d+ sectors, partition table none, 4096-byte blocks")
    # The controller as the firmware handed it over: SeaBIOS leaves it enabled with its
    # queues in RAM thaw is about to use; OVMF puts the registers above 4 GiB.
    if firmware == "bios":
        r.expect_line(r"nvme: \S+: firmware left the controller enabled \(CC 0x[0-9a-f]*1, ")
    else:
        r.expect_line(r"nvme: \S+: registers at 0x[0-9a-f]{9,} \(above 4 GiB\): bus "
                      r"mastering turned off")
        r.expect_line(r"nvme: nvme0: controller found enabled \(CC 0x[0-9a-f]*1, admin SQ "
                      r"at 0x[0-9a-f]+\); resetting it")
    # 48 single reads and one whole-namespace stream per namespace.
    assert check_reads(r, images, blocks) == 2 * (48 + 1)
    r.expect_line(r"disktest: disk-read passed")


@pytest.mark.parametrize("lba", [512, 4096])
def test_write_flush_host_sees_it_beside_virtio(tmp_path, lba):
    """thaw.test=disk-write writes the last disk: the NVMe namespace after vda."""
    v = diskimg.random_disk(tmp_path / "v.img", 8 << 20, seed=13)
    w = diskimg.random_disk(tmp_path / "w.img", 8 << 20, seed=14)
    before = {p: p.read_bytes() for p in (v, w)}
    r = run_thaw("thaw.test=disk-write thaw.test_exit", disks=[Disk(v)],
                 extra_args=nvme_args("nv0", [(w, lba)]), timeout=120, name=f"nvmewrite{lba}")
    r.assert_exit_ok()
    r.expect_line(r"disks: vda: disk, ")
    r.expect_line(r"nvme: nvme0: .*volatile write cache")
    diskimg.check_write(r, "nvme0n1", w, before)


U_NV = "abcdef01-2345-6789-abcd-ef0123456789"       # hibernated swap on nvme0n1p2
G_NV = "0FEDCBA9-8765-4321-0FED-CBA987654321"       # nvme0n1p2's partition GUID
U_4K = "44444444-5555-6666-7777-888888888888"       # hibernated swap on nvme1n1p1 (4Kn)
SWAPFILE_PAGE = 100


@pytest.fixture(scope="module")
def resume_disks(tmp_path_factory):
    """vda: a plain disk; nvme0n1: GPT with the image on partition 2; nvme1n1: a 4Kn
    namespace whose MBR counts 4096-byte blocks, a hibernated swap on partition 1."""
    d = tmp_path_factory.mktemp("nvresume")
    v = diskimg.random_disk(d / "v.img", 4 << 20, seed=15)
    a = diskimg.blank(d / "a.img", 32 << 20)
    diskimg.gpt(a, "-n", "1:2048:+4M", "-c", "1:data", "-n", "2:0:+8M", "-c", "2:nvswap",
                "-u", f"2:{G_NV}")
    diskimg.mkswap_at(a, diskimg.part_start(a, 2) * 512, 8 << 20, "nvhib", U_NV, True)
    b = diskimg.blank(d / "b.img", 32 << 20)
    diskimg.mbr_blocks(b, 0x4b4b4b4b, [(0x82, 256, 2048)])
    diskimg.mkswap_at(b, 256 * 4096, 8 << 20, "hib4k", U_4K, True)
    # A swap file's header inside that partition, 4 KiB page 100 of it: resume_offset=
    # counts 4 KiB pages whatever the logical block size.
    diskimg.mkswap_at(b, (256 + SWAPFILE_PAGE) * 4096, 1 << 20, "", "", True)
    return v, a, b


FOUND = [
    ("resume=/dev/nvme0n1p2", "nvme0n1p2", 0),
    (f"resume=UUID={U_NV}", "nvme0n1p2", 0),
    (f"resume=PARTUUID={G_NV}", "nvme0n1p2", 0),
    ("resume=PARTLABEL=nvswap", "nvme0n1p2", 0),
    ("resume=LABEL=nvhib", "nvme0n1p2", 0),
    ("resume=/dev/nvme1n1p1", "nvme1n1p1", 0),
    (f"resume=/dev/disk/by-uuid/{U_4K}", "nvme1n1p1", 0),
    ("resume=PARTUUID=4b4b4b4b-01", "nvme1n1p1", 0),
    (f"resume=/dev/nvme1n1p1 resume_offset={SWAPFILE_PAGE}", "nvme1n1p1", SWAPFILE_PAGE),
]


@pytest.mark.parametrize("cmdline,dev,page", FOUND, ids=[f[0] for f in FOUND])
def test_resume_names_beside_virtio(resume_disks, cmdline, dev, page):
    v, a, b = resume_disks
    extra = nvme_args("nv0", [(a, 512)], serial="thawa") + \
        nvme_args("nv1", [(b, 4096)], serial="thawb")
    extra = [x.replace(",format=raw,", ",format=raw,snapshot=on,") for x in extra]
    r = run_thaw(f"thaw.test=disks thaw.test_exit {cmdline}", disks=[Disk(v, snapshot=True)],
                 extra_args=extra, timeout=120, name="nvmelocate")
    r.assert_exit_ok()
    r.expect_line(r"disks: vda: disk, 8192 sectors")
    # The 4Kn MBR counts 4096-byte blocks: partition 1 starts at sector 256 × 8.
    r.expect_line(r"disks: nvme1n1p1: partition of nvme1n1, start 2048, 16384 sectors")
    r.expect_line(r"disks: nvme0n1p2: partition of nvme0n1, .*partlabel \"nvswap\"")
    m = r.expect_line(r"disks: locate=(\S+) dev=(\S+) page=(\d+)")
    assert m.groups() == ("ok", dev, str(page)), m.string


def test_media_error_from_blkdebug(tmp_path):
    img = diskimg.random_disk(tmp_path / "e.img", 8 << 20, seed=16)
    cfg = tmp_path / "blkdebug.cfg"
    cfg.write_text('[inject-error]\nevent = "read_aio"\nerrno = "5"\nsector = "4096"\n')
    extra = ["-drive", f"file=blkdebug:{cfg}:{img},format=raw,if=none,id=bad",
             "-device", "nvme,serial=thawbad,drive=bad"]
    before = img.read_bytes()
    r = run_thaw("thaw.test=disk-read thaw.test_exit", extra_args=extra, timeout=120,
                 name="nvmeeio")
    r.assert_exit_fail()           # a clean failure, not a hang and not a crash
    r.expect_line(r"nvme: nvme0n1: read at sector \d+ \(\d+ sectors\) failed: media error: "
                  r"unrecovered read error \(status 0x281: SCT 2 SC 0x81\)")
    r.expect_line(r"disk-read: nvme0n1 whole sectors=\d+ crc=[0-9a-f]{8} status=I/O error")
    diskimg.check_reads_around(r.lines, {"nvme0n1": img}, READ_RE, WHOLE_RE, 4096,
                               blocks={"nvme0n1": 512})
    r.expect_line(r"disktest: disk-read FAILED")
    assert img.read_bytes() == before


def test_stalled_controller_times_out(tmp_path):
    """QEMU's throttling (8 KiB/s) stalls a big read: thaw gives up after its timeout,
    disables the controller and fails every later request at once, without hanging."""
    img = diskimg.random_disk(tmp_path / "s.img", 8 << 20, seed=17)
    extra = ["-drive", f"file={img},format=raw,if=none,id=slow,throttling.bps-read=8192",
             "-device", "nvme,serial=thawslow,drive=slow"]
    r = run_thaw("thaw.test=disk-read thaw.test_exit", extra_args=extra, timeout=180,
                 name="nvmestall")
    r.assert_exit_fail()
    r.expect_line(r"nvme: nvme0n1: read at sector \d+: no completion within 5000 ms")
    r.expect_line(r"nvme: nvme0: controller disabled \(ok\); \d+ command\(s\) failed")
    r.expect_line(r"nvme: nvme0n1: refuses further requests: its controller nvme0 failed "
                  r"\(no completion within 5000 ms\)")
    r.expect_line(r"disk-read: nvme0n1 whole sectors=\d+ crc=00000000 "
                  r"status=device did not answer in time")
    assert r.elapsed < 150, r.elapsed


def test_controller_fatal_status(tmp_path):
    """A controller that reports CSTS.CFS (made to, by an admin queue size NVMe forbids):
    a clear message naming the controller and its disk, the controller reset, every
    later read and write refused at once, and the image untouched."""
    img = diskimg.random_disk(tmp_path / "f.img", 8 << 20, seed=18)
    before = img.read_bytes()
    extra = ["-drive", f"file={img},format=raw,if=none,id=fat",
             "-device", "nvme,serial=thawfatal,drive=fat"]
    r = run_thaw("thaw.test=disk-nvme-fatal thaw.test_exit", extra_args=extra, timeout=120,
                 name="nvmefatal")
    r.assert_exit_ok()
    r.expect_line(r"nvme: nvme0: enable \(CC.EN=1\) failed after up to \d+ ms: controller "
                  r"fatal status \(CSTS.CFS\) set")
    r.expect_line(r"nvme: nvme0n1: refuses further requests: its controller nvme0 failed "
                  r"\(controller fatal status while enabling\)")
    r.expect_line(r"disk-nvme-fatal: nvme0n1 enable=\"controller fatal status while enabling\" "
                  r"read=I/O error reported by the device write=I/O error reported by the "
                  r"device ms=\d+")
    r.expect_line(r"disktest: disk-nvme-fatal passed")
    assert img.read_bytes() == before


REAL = ["lzo-bios-smp1-nvme"] + (["lzo-uefi-smp1-nvme", "lzo-bios-smp1-part-nvme4k"]
                                 if SLOW else [])


@pytest.mark.parametrize("variant", REAL)
def test_real_debian_resume_from_nvme(variant, tmp_path):
    """Linux hibernated a Debian guest to swap on NVMe; thaw (resume=/dev/nvme0n1…)
    brings the workload back, and leaves the controller disabled for the image kernel."""
    fx = hibernated_disk(variant)
    disk = fx.disk_copy(tmp_path)
    args = f"thaw.test_exit thaw.on_fail=poweroff resume={fx.variant.thaw_resume}"
    run = run_qemu(fx.qemu_args(cdrom=ik.thaw_iso(args), disk=disk), tmp_path / "serial.log",
                   timeout=900)
    text = run.text
    _, m = run.first(RESUMED_RE)
    assert m, f"rc {run.rc} timed_out {run.timed_out}\n{text[-4000:]}"
    assert m["checksum"] == "ok" and m["counter"] == "ok", m.group(0)
    assert run.rc == 33
    assert f"locate: hibernation image on {fx.variant.swap_dev} " in text
    assert re.search(r"nvme: nvme0: controller disabled for the hand-off \(CC.EN=0, "
                     r"CSTS.RDY=0: ok\)", text)
    assert swap_header(disk, fx.variant)["sig"] == b"SWAPSPACE2"


@pytest.mark.skipif(not SLOW, reason="slow: set THAW_SLOW_TESTS=1")
def test_thaw_efi_resumes_from_nvme(tmp_path):
    """OVMF starts thaw.efi itself after its own NVMe driver used the controller (its
    admin queue in boot-services memory): thaw stops, resets and reads it, and resumes."""
    import esp
    variant = "lzo-uefi-smp1-nvme"
    fx = hibernated_disk(variant)
    disk = fx.disk_copy(tmp_path)
    img = esp.esp_image(tmp_path / "esp.img", {"EFI/BOOT/BOOTX64.EFI": esp.THAW_EFI})
    run = run_qemu(esp.esp_qemu_args(variant, img, disk), tmp_path / "serial.log", 900)
    _, m = run.first(RESUMED_RE)
    assert m, f"rc {run.rc} timed_out {run.timed_out}\n{run.text[-4000:]}"
    assert m["checksum"] == "ok" and m["counter"] == "ok", m.group(0)
    assert run.rc == 33
    assert re.search(r"nvme: nvme0: controller found enabled \(CC 0x[0-9a-f]*1, ", run.text)
    assert "locate: hibernation image on nvme0n1 " in run.text
    assert swap_header(disk, fx.variant)["sig"] == b"SWAPSPACE2"
