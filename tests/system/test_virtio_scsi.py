"""virtio-scsi disks: known data read at many offsets and sizes (sync and batched
async) and streamed over whole LUNs, every checksum recomputed here from the image;
transitional and modern-only adapters, two LUNs (and a second target), BIOS and
UEFI; a write + flush the host sees; names after the SATA disks; CHECK CONDITION
from blkdebug decoded; a stalled adapter times out."""

import pytest

import diskimg
from thawvm import Disk, run_thaw
from test_ahci import READ_RE, SLOW, WHOLE_RE, check_reads, hba_args, sata


def scsi_hba(kind="transitional", hba="scsi0"):
    opts = {"transitional": "", "modern-only": ",disable-legacy=on",
            "legacy-only": ",disable-modern=on"}[kind]
    return ["-device", f"virtio-scsi-pci,id={hba}{opts}"]


def scsi_lun(image, drive_id, target, lun, *, hba="scsi0", opts="", dev_opts=""):
    return ["-drive", f"file={image},format=raw,if=none,id={drive_id}{opts}",
            "-device", f"scsi-hd,drive={drive_id},bus={hba}.0,channel=0,scsi-id={target},"
                       f"lun={lun}{dev_opts}"]


@pytest.fixture(scope="module")
def images(tmp_path_factory):
    d = tmp_path_factory.mktemp("vscsi")
    return {"sda": diskimg.random_disk(d / "a.img", 36 * 1024 * 1024 + 5 * 512, seed=21),
            "sdb": diskimg.random_disk(d / "b.img", 5 * 1024 * 1024 + 512, seed=22),
            "sdc": diskimg.random_disk(d / "c.img", 3 * 1024 * 1024, seed=23)}


# Legacy and modern interfaces under both firmwares by default; the rest with
# THAW_SLOW_TESTS=1.
SETUPS = [pytest.param("bios", "pc", "legacy-only", "legacy", id="bios-pc-legacy-only"),
          pytest.param("uefi", "q35", "transitional", "modern", id="uefi-q35-transitional"),
          pytest.param("bios", "q35", "modern-only", "modern", id="bios-q35-modern-only",
                       marks=SLOW),
          pytest.param("uefi", "pc", "transitional", "modern", id="uefi-pc-transitional",
                       marks=SLOW)]


@pytest.mark.parametrize("firmware,machine,kind,iface", SETUPS)
def test_read_pattern(images, firmware, machine, kind, iface):
    # Two LUNs on target 0 and one on target 2 with 4096-byte logical blocks: names
    # in (target, lun) order.
    extra = scsi_hba(kind) + scsi_lun(images["sdb"], "s1", 0, 1) + \
        scsi_lun(images["sda"], "s0", 0, 0) + \
        scsi_lun(images["sdc"], "s2", 2, 0,
                 dev_opts=",logical_block_size=4096,physical_block_size=4096")
    r = run_thaw("thaw.test=disk-read thaw.test_exit", firmware=firmware, machine=machine,
                 extra_args=extra, timeout=300, name=f"vscsi-read-{kind}")
    r.assert_exit_ok()
    r.expect_line(rf"virtio-scsi: sda: target 0 lun 0 of .*, "
                  rf"{images['sda'].stat().st_size // 512} sectors .*{iface} interface")
    r.expect_line(rf"virtio-scsi: sdb: target 0 lun 1 of .*, "
                  rf"{images['sdb'].stat().st_size // 512} sectors")
    r.expect_line(rf"virtio-scsi: sdc: target 2 lun 0 of .*, "
                  rf"{images['sdc'].stat().st_size // 512} sectors \(3 MiB\), 4096-byte blocks")
    assert check_reads(r, images) == 3 * (48 + 1)
    r.expect_line(r"disktest: disk-read passed")


def test_write_flush_host_sees_it(tmp_path):
    a = diskimg.random_disk(tmp_path / "a.img", 8 << 20, seed=24)
    w = diskimg.random_disk(tmp_path / "w.img", 4 << 20, seed=25)
    before = {p: p.read_bytes() for p in (a, w)}
    extra = scsi_hba() + scsi_lun(a, "s0", 0, 0) + scsi_lun(w, "s1", 0, 1)
    r = run_thaw("thaw.test=disk-write thaw.test_exit", extra_args=extra, timeout=120,
                 name="vscsi-write")
    r.assert_exit_ok()
    diskimg.check_write(r, "sdb", w, before)


def test_read_only_lun_refuses_writes(tmp_path):
    # A read-only LUN answers WRITE(16) with CHECK CONDITION / DATA PROTECT: the sense
    # is decoded into the message and the image is untouched.
    w = diskimg.random_disk(tmp_path / "ro.img", 4 << 20, seed=26)
    before = w.read_bytes()
    extra = scsi_hba() + scsi_lun(w, "s0", 0, 0, opts=",readonly=on")
    r = run_thaw("thaw.test=disk-write thaw.test_exit", extra_args=extra, timeout=120,
                 name="vscsi-ro")
    r.assert_exit_fail()
    r.expect_line(r"virtio-scsi: sda: write at sector \d+ failed: CHECK CONDITION, sense key "
                  r"DATA PROTECT, asc 0x27 ascq 0x00 \(write protected\)")
    r.expect_line(r"disk-write: sda sector=\d+ count=\d+ crc=[0-9a-f]{8} "
                  r"status=request type not supported by the device readback=different")
    assert w.read_bytes() == before


def test_read_error_check_condition(tmp_path):
    img = diskimg.random_disk(tmp_path / "e.img", 8 << 20, seed=27)
    drive = diskimg.blkdebug_eio(tmp_path, img, "eio", sector=4096)[:2]
    extra = scsi_hba() + drive + ["-device", "scsi-hd,drive=eio,bus=scsi0.0,scsi-id=0,lun=0"]
    r = run_thaw("thaw.test=disk-read thaw.test_exit", extra_args=extra, timeout=180,
                 name="vscsi-eio")
    r.assert_exit_fail()
    # QEMU turns EIO into ABORTED COMMAND / I/O PROCESS TERMINATED (scsi_sense_from_errno).
    r.expect_line(r"virtio-scsi: sda: read at sector \d+ failed: CHECK CONDITION, sense key "
                  r"ABORTED COMMAND, asc 0x00 ascq 0x06 \(I/O process terminated\)")
    r.expect_line(r"disk-read: sda whole sectors=\d+ crc=00000000 status=I/O error")
    diskimg.check_reads_around(r.lines, {"sda": img}, READ_RE, WHOLE_RE, 4096)
    r.expect_line(r"disktest: disk-read FAILED")


def test_stalled_adapter_times_out(tmp_path):
    img = diskimg.random_disk(tmp_path / "s.img", 8 << 20, seed=28)
    extra = scsi_hba() + scsi_lun(img, "slow", 0, 0, opts=",throttling.bps-read=65536")
    r = run_thaw("thaw.test=disk-read thaw.test_exit", extra_args=extra, timeout=150,
                 name="vscsi-stall")
    r.assert_exit_fail()
    r.expect_line(r"virtio-scsi: 00:\w\w\.\d: no completion for 5000 ms, device reset; "
                  r"1 request\(s\) failed")
    r.expect_line(r"disk-read: sda whole sectors=\d+ crc=00000000 status=device did not "
                  r"answer in time")
    assert r.elapsed < 100, r.elapsed


U_SATA = "5a7a5a7a-0000-4000-8000-00000000a7a0"    # swap on the SATA disk's partition 2
U_SCSI = "5c5c5c5c-0000-4000-8000-0000000005c5"    # swap on the SCSI LUN's partition 1
G_SATA = "0A0B0C0D-1111-2222-3333-444455556666"    # that GPT partition's unique GUID
U_4K = "5c5c4096-0000-4000-8000-000000004096"      # swap on the 4Kn LUN's partition 1


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    """A virtio-blk disk (plain swap), a SATA disk (GPT, hibernated swap on 2), a
    virtio-scsi LUN (MBR, hibernated swap on 1) and a 4Kn LUN whose MBR counts
    4096-byte blocks (hibernated swap on 1, from block 256)."""
    d = tmp_path_factory.mktemp("mixed")
    v = diskimg.blank(d / "v.img", 16 << 20)
    diskimg.mkswap_at(v, 0, 16 << 20, "plainv", "")
    a = diskimg.blank(d / "a.img", 32 << 20)
    diskimg.gpt(a, "-n", "1:2048:+4M", "-c", "1:data", "-n", "2:0:+8M", "-c", "2:sataswap",
                "-u", f"2:{G_SATA}")
    diskimg.mkswap_at(a, diskimg.part_start(a, 2) * 512, 8 << 20, "hibsata", U_SATA, True)
    s = diskimg.blank(d / "s.img", 24 << 20)
    diskimg.mbr(s, "label: dos\nlabel-id: 0x5c5151aa\n,8M,82\n,,83\n")
    diskimg.mkswap_at(s, diskimg.part_start(s, 1) * 512, 8 << 20, "hibscsi", U_SCSI, True)
    k = diskimg.blank(d / "k.img", 16 << 20)
    diskimg.mbr_blocks(k, 0x4096AAAA, [(0x82, 256, 2048)])
    diskimg.mkswap_at(k, 256 * 4096, 8 << 20, "hib4k", U_4K, True)
    return v, a, s, k


def mixed_args(machine, a, s, k):
    """SATA port 0; virtio-scsi target 0: LUN 0 (512) and LUN 1 (4Kn); target 1 an empty
    CD-ROM (not a disk)."""
    return hba_args(machine) + sata(machine, a, "sa", 0, opts=",snapshot=on") + scsi_hba() + \
        scsi_lun(s, "ss", 0, 0, opts=",snapshot=on") + \
        scsi_lun(k, "sk", 0, 1, opts=",snapshot=on",
                 dev_opts=",logical_block_size=4096,physical_block_size=4096") + \
        ["-device", "scsi-cd,bus=scsi0.0,channel=0,scsi-id=1,lun=0"]


NAMED = [
    ("resume=/dev/sda2", "sda2"),
    (f"resume=UUID={U_SCSI}", "sdb1"),
    (f"resume=PARTUUID={G_SATA}", "sda2"),
    ("resume=LABEL=hibscsi", "sdb1"),
    ("resume=PARTUUID=5c5151aa-01", "sdb1"),
    ("resume=/dev/sdc1", "sdc1"),
    (f"resume=UUID={U_4K}", "sdc1"),
]


@pytest.mark.parametrize("cmdline,dev", NAMED, ids=[n[0] for n in NAMED])
def test_names_beside_virtio(mixed, cmdline, dev):
    # Linux's names: virtio-blk vda, the SATA disk sda, then the SCSI LUNs sdb, sdc.
    v, a, s, k = mixed
    r = run_thaw(f"thaw.test=disks thaw.test_exit {cmdline}", machine="pc",
                 disks=[Disk(v, snapshot=True)], extra_args=mixed_args("pc", a, s, k),
                 timeout=120, name="mixed")
    r.assert_exit_ok()
    r.expect_line(r"virtio-blk: vda: ")
    r.expect_line(r"ahci: sda: port 0 of ")
    r.expect_line(r"virtio-scsi: sdb: target 0 lun 0 of ")
    r.expect_line(r"disks: sda2: partition of sda, .*partlabel \"sataswap\"")
    r.expect_line(r"disks: sdb1: partition of sdb, .*partuuid 5c5151aa-01")
    r.expect_line(r"virtio-scsi: sdc: target 0 lun 1 of .*, 4096-byte blocks")
    # The 4Kn MBR counts 4096-byte blocks: partition 1 starts at sector 256 × 8.
    r.expect_line(r"disks: sdc1: partition of sdc, start 2048, 16384 sectors")
    r.expect_line(r"virtio-scsi: 00:\w\w\.\d target 1 lun 0: SCSI device type 0x05, "
                  r"not a disk; ignored")
    r.expect_no_line(r"virtio-scsi: sdd")
    assert r.expect_line(r"disks: locate=(.*) dev=(\S+) page=(\d+)").groups() == ("ok", dev, "0")


def test_names_uefi_q35_scan(mixed):
    # No resume=: all three hibernated areas are found and thaw asks which one.
    v, a, s, k = mixed
    r = run_thaw("thaw.test=disks thaw.test_exit", firmware="uefi", machine="q35",
                 disks=[Disk(v, snapshot=True)], extra_args=mixed_args("q35", a, s, k),
                 timeout=180, name="mixed-uefi")
    r.assert_exit_ok()
    r.expect_line(r"ahci: sda: port 0 of 00:1f\.2")
    r.expect_line(r"virtio-scsi: sdb: target 0 lun 0 of ")
    r.expect_line(r"disks: locate=several devices match; name one with resume= dev=- page=0")
