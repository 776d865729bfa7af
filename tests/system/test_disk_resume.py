"""resume= resolution on real partition tables made with sfdisk/sgdisk/mkswap: every
form Linux and the initramfs tools accept that makes sense here, resume_offset= for
swap files, the scan when resume= is absent, and a clear refusal for the rest."""
import pytest

import diskimg
from thawvm import Disk, run_thaw

U_MBR = "11111111-2222-3333-4444-555555555555"     # swap on vda5 (logical), hibernated
U_GPT = "aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee"     # swap on vdb2, hibernated
U_DISK = "12345678-9abc-def0-1234-56789abcdef0"    # whole-disk swap vdc, hibernated
U_PLAIN = "99999999-8888-7777-6666-555555555555"   # vda6: ordinary swap
G_PART = "0123ABCD-4567-89EF-FEDC-BA9876543210"    # vdb2's unique partition GUID
SWAPFILE_PAGE = 100                                # vdd: a "swap file" header here

LOCATE_RE = r"disks: locate=(.*) dev=(\S+) page=(\d+)"


@pytest.fixture(scope="module")
def disks(tmp_path_factory):
    d = tmp_path_factory.mktemp("resume")
    a = diskimg.blank(d / "a.img", 64 << 20)
    diskimg.mbr(a, "label: dos\nlabel-id: 0xdeadbeef\n,8M,83\n,,5\n,8M,82\n,8M,82\n")
    diskimg.mkswap_at(a, diskimg.part_start(a, 5) * 512, 8 << 20, "hibmbr", U_MBR, True)
    diskimg.mkswap_at(a, diskimg.part_start(a, 6) * 512, 8 << 20, "plain", U_PLAIN)
    b = diskimg.blank(d / "b.img", 32 << 20)
    diskimg.gpt(b, "-n", "1:2048:+4M", "-c", "1:data", "-n", "2:0:+8M", "-c", "2:hibswap",
                "-u", f"2:{G_PART}")
    diskimg.mkswap_at(b, diskimg.part_start(b, 2) * 512, 8 << 20, "hibgpt", U_GPT, True)
    c = diskimg.blank(d / "c.img", 16 << 20)
    diskimg.mkswap_at(c, 0, 16 << 20, "hibdisk", U_DISK, True)
    dd = diskimg.blank(d / "d.img", 16 << 20)
    diskimg.mkswap_at(dd, SWAPFILE_PAGE * 4096, 1 << 20, "", "", True)
    return [a, b, c, dd]


def locate(disks, cmdline, **kw):
    r = run_thaw(f"thaw.test=disks thaw.test_exit {cmdline}",
                 disks=[Disk(p, snapshot=True) for p in disks], timeout=120,
                 name="locate", **kw)
    r.assert_exit_ok()
    return r, r.expect_line(LOCATE_RE).groups()


FOUND = [
    ("resume=/dev/vda5", "vda5", 0),
    ("resume=/dev/vdc", "vdc", 0),
    (f"resume=UUID={U_GPT.upper()}", "vdb2", 0),
    (f"resume=/dev/disk/by-uuid/{U_DISK}", "vdc", 0),
    ("resume=LABEL=hibmbr", "vda5", 0),
    ("resume=PARTUUID=deadbeef-05", "vda5", 0),
    (f"resume=PARTUUID={G_PART}", "vdb2", 0),
    ("resume=PARTLABEL=hibswap", "vdb2", 0),
    (f"resume=/dev/vdd resume_offset={SWAPFILE_PAGE}", "vdd", SWAPFILE_PAGE),
]


@pytest.mark.parametrize("cmdline,dev,page", FOUND, ids=[f[0] for f in FOUND])
def test_resume_form_resolves(disks, cmdline, dev, page):
    r, (result, got_dev, got_page) = locate(disks, cmdline)
    assert (result, got_dev, int(got_page)) == ("ok", dev, page)
    r.expect_line(rf"locate: hibernation image on {dev} \(header at page {page}, "
                  rf"sector {page * 8}\)")


REFUSED = [
    ("resume=/dev/vda6", "the swap area holds no hibernation image", "vda6",
     r"locate: vda6: page 0 holds swap \(SWAPSPACE2\), not a hibernation image"),
    ("resume=/dev/vda1", "the swap area holds no hibernation image", "vda1",
     r"locate: vda1: page 0 holds no swap signature"),
    (f"resume=UUID={U_PLAIN[:-1]}0", "no device matches resume=", "-",
     r"locate: resume=UUID=\S+: no such device"),
    ("resume=/dev/vdz", "no device matches resume=", "-", r"no such device among the \d+ found"),
    ("resume=254:5", "resume= is malformed", "-", r"device numbers \(major:minor\)"),
    ("resume=/dev/hda2", "resume= is malformed", "-", r"not a disk name thaw knows"),
    ("resume=/dev/nvme0n1p2", "no device matches resume=", "-",
     r"no such device among the \d+ found"),
    ("resume=/dev/vdc resume_offset=5000", "resume_offset= lies past the end of the device",
     "vdc", r"locate: vdc: resume_offset=5000 is past its end \(4096 pages\)"),
    ("", "several devices match; name one with resume=", "-",
     r"locate: several devices fit: vda5 vdb2 vdc; name one"),
]


@pytest.mark.parametrize("cmdline,result,dev,message", REFUSED,
                         ids=[f[0] or "scan-ambiguous" for f in REFUSED])
def test_resume_refused_clearly(disks, cmdline, result, dev, message):
    r, (got, got_dev, _) = locate(disks, cmdline)
    assert (got, got_dev) == (result, dev)
    r.expect_line(message)


def test_scan_finds_the_one_image(disks):
    # The GPT disk (image on vdb2 → now vda2) and the disk whose only signature is
    # at page 100 (a swap file; the scan looks at page 0): the scan must pick vda2.
    r, (result, dev, page) = locate([disks[1], disks[3]], "")
    assert (result, dev, page) == ("ok", "vda2", "0")
    r.expect_line(r"disks: vda2: hibernation image \(S1SUSPEND\), uuid " + U_GPT +
                  r', label "hibgpt"')


def test_listing_names_and_ids(disks):
    r, _ = locate(disks, "resume=/dev/vdc", firmware="uefi", machine="q35")
    r.expect_line(r"disks: vda: disk, 131072 sectors, partition table MBR")
    r.expect_line(r"disks: vda5: partition of vda, start \d+, 16384 sectors, partuuid deadbeef-05")
    r.expect_line(r"disks: vdb2: partition of vdb, start \d+, 16384 sectors, partuuid " +
                  G_PART.lower() + r', partlabel "hibswap"')
    r.expect_line(r"disks: vdb1: .*partlabel \"data\"")
    r.expect_line(r"disks: vdd: disk, 32768 sectors, partition table none")
    # Linux numbering: no vda2 (the extended container) and no vda3/vda4.
    r.expect_no_line(r"disks: vda[234]:")


def test_unreadable_header_page(disks, tmp_path):
    extra = diskimg.blkdebug_eio(tmp_path, disks[2], "eio")
    r = run_thaw("thaw.test=disks thaw.test_exit resume=/dev/vda", extra_args=extra,
                 timeout=120, name="locate-eio")
    r.assert_exit_ok()
    r.expect_line(r"virtio-blk: vda: read at sector 0 failed: I/O error reported by the device")
    m = r.expect_line(LOCATE_RE)
    assert m.group(1) == "cannot read the swap header page"
    r.expect_line(r"locate: vda: cannot read the swap header page 0")


U_FS = "0f0e0d0c-0b0a-0908-0706-050403020100"


@pytest.fixture(scope="module")
def swapfile_disk(tmp_path_factory):
    d = tmp_path_factory.mktemp("swapfile")
    fs = d / "fs.img"
    block = diskimg.ext4_with_swapfile(fs, 32 << 20, U_FS, "rootfs", d)
    disk = diskimg.blank(d / "disk.img", 40 << 20)
    diskimg.mbr(disk, "label: dos\n,34M,83\n")
    diskimg.copy_into(disk, diskimg.part_start(disk, 1) * 512, fs)
    return disk, block


@pytest.mark.parametrize("spec", [f"UUID={U_FS}", "LABEL=rootfs"])
def test_swap_file_on_ext4(swapfile_disk, spec):
    # The usual swap-file set-up: resume= names the filesystem, resume_offset= the
    # file's first block (as filefrag / debugfs bmap report it).
    disk, block = swapfile_disk
    assert block > 0
    r, (result, dev, page) = locate([disk], f"resume={spec} resume_offset={block}")
    assert (result, dev, int(page)) == ("ok", "vda1", block)
    r.expect_line(r'disks: vda1: ext2/3/4 filesystem, uuid ' + U_FS + r', label "rootfs"')


def test_swap_file_wrong_offset(swapfile_disk):
    disk, block = swapfile_disk
    r, (result, dev, page) = locate([disk], f"resume=UUID={U_FS} resume_offset={block + 1}")
    assert (result, dev) == ("the swap area holds no hibernation image", "vda1")


def test_real_hibernated_partition_found():
    # A swap partition Debian's own kernel hibernated to (the fixtures' "-part"
    # variant: MBR, swap on vda1): the scan finds it, and so does resume=/dev/vda1.
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from fixtures.realimage import hibernated_disk
    fx = hibernated_disk("lzo-bios-smp1-part")
    for cmdline in ("", "resume=/dev/vda1"):
        r, (result, dev, page) = locate([fx.disk], cmdline)
        assert (result, dev, page) == ("ok", "vda1", "0")
        r.expect_line(r"disks: vda1: hibernation image \(S1SUSPEND\), uuid [0-9a-f-]{36}")
