"""thaw finds the image through systemd's HibernateLocation EFI variable (no resume=): a
real Debian 12 UEFI guest hibernated by tests/fixtures/realimage.py, OVMF's variable store
seeded offline (tests/rig/esp.py add_variable) with the JSON systemd's sleep.c writes,
thaw.iso booted with no location options. thaw deletes the variable when it commits, so a
second boot finds neither variable nor image; a variable naming a missing device is
reported and scanning follows; resume= wins over the variable; a swap file is found by
its filesystem's UUID and first block: a real one (fixture lzo-uefi-smp1-swapfile: Linux
hibernated into /swapfile on ext4) is resumed through the variable, and with THAW_SLOW_TESTS=1
the same under SeaBIOS through resume=UUID=<fs> resume_offset= on thaw's command line."""
import json
import os
import shutil
import sys
import uuid
from pathlib import Path

import diskimg
import esp
import imagekernel as ik
import pytest
from thawvm import OVMF_VARS_CANDIDATES, Disk, run_thaw

sys.path.insert(0, str(ik.REPO / "tests"))
from fixtures.guest_qemu import run_qemu  # noqa: E402
from fixtures.realimage import RESUMED_RE, hibernated_disk, swap_header  # noqa: E402

EXIT_OK, EXIT_FAIL = 33, 35
THAW_ARGS = "thaw.test_exit thaw.on_fail=poweroff"
VARIANT = "lzo-uefi-smp1"
SWAPFILE_VARIANT = "lzo-uefi-smp1-swapfile"
SWAPFILE_BIOS_VARIANT = "lzo-bios-smp1-swapfile"
SLOW = pytest.mark.skipif(os.environ.get("THAW_SLOW_TESTS") != "1",
                          reason="a second swap-file fixture: set THAW_SLOW_TESTS=1")
SYSTEMD = "8cf2644b-4b0b-428f-9387-6d876050dc67"
NAME = "HibernateLocation"
SWAP_UUID_AT = 1036       # mkswap's UUID in the swap header page (Linux union swap_header)


def swap_uuid(disk) -> str:
    with open(disk, "rb") as f:
        f.seek(SWAP_UUID_AT)
        return str(uuid.UUID(bytes=f.read(16)))


def location(uuid_text, kernel, offset=0) -> bytes:
    """The variable's data as systemd writes it: compact JSON, UTF-16LE, NUL unit."""
    text = json.dumps({"uuid": uuid_text, "offset": offset, "kernelVersion": kernel,
                       "osReleaseId": "debian", "osReleaseVersionId": "12"},
                      separators=(",", ":"))
    return (text + "\0").encode("utf-16-le")


def vars_file(disk):
    return disk.parent / (disk.name + ".OVMF_VARS.fd")


def boot(fx, disk, workdir, fresh_vars, seed=None, name="serial.log"):
    """Boot thaw.iso with no location options; seed: data for HibernateLocation."""
    qemu = fx.qemu_args(cdrom=ik.thaw_iso(THAW_ARGS), disk=disk, workdir=disk.parent,
                        fresh_vars=fresh_vars)
    if seed is not None:
        esp.add_variable(vars_file(disk), NAME, SYSTEMD, seed)
    return run_qemu(qemu, workdir / name, timeout=600)


def assert_resumed(run, fx, disk):
    _, m = run.first(RESUMED_RE)
    assert m, f"rc {run.rc} timed_out {run.timed_out}\n{run.text[-4000:]}"
    assert m["checksum"] == "ok" and m["counter"] == "ok", m.group(0)
    assert run.rc == EXIT_OK
    assert swap_header(disk, fx.variant)["sig"] == b"SWAPSPACE2"


def assert_consumed_then_nothing(run, fx, disk, tmp_path):
    """The resume deleted the variable; the same machine booted again with the same
    variable store finds no variable and no image."""
    assert "efi: HibernateLocation deleted" in run.text
    assert esp.variable(vars_file(disk), NAME, SYSTEMD) is None
    again = boot(fx, disk, tmp_path, False, name="again.log")
    assert again.rc == EXIT_OK, again.text[-3000:]
    assert "locate: no HibernateLocation EFI variable (systemd)" in again.text
    assert "nothing to resume" in again.text
    assert not again.first(RESUMED_RE)[1] and "thaw: resuming" not in again.text


def test_resume_through_variable_then_nothing(tmp_path):
    fx = hibernated_disk(VARIANT)
    disk = fx.disk_copy(tmp_path)
    u = swap_uuid(disk)
    run = boot(fx, disk, tmp_path, True, location(u, fx.meta["kernel"]["release"]))
    assert_resumed(run, fx, disk)
    assert f"locate: resume from HibernateLocation (systemd): UUID={u} offset=0" in run.text
    assert_consumed_then_nothing(run, fx, disk, tmp_path)


def test_variable_naming_missing_device_then_scan(tmp_path):
    fx = hibernated_disk(VARIANT)
    disk = fx.disk_copy(tmp_path)
    bogus = "0badc0de-0000-4000-8000-000000000001"
    run = boot(fx, disk, tmp_path, True, location(bogus, fx.meta["kernel"]["release"]))
    assert f"locate: HibernateLocation names UUID={bogus} offset=0, which holds no image " \
           "here (no device matches resume=); scanning every disk instead" in run.text, \
        run.text[-3000:]
    assert_resumed(run, fx, disk)
    # The resume consumed the hibernation the variable stood for.
    assert esp.variable(vars_file(disk), NAME, SYSTEMD) is None


def test_resume_option_wins(tmp_path):
    """resume= on the command line wins over the variable, which the resume still
    consumes (systemd-hibernate-resume reads and clears it in both cases)."""
    fx = hibernated_disk(VARIANT)
    disk = fx.disk_copy(tmp_path)
    bogus = "0badc0de-0000-4000-8000-000000000002"
    qemu = fx.qemu_args(cdrom=ik.thaw_iso(THAW_ARGS + " resume=/dev/vda"), disk=disk,
                        workdir=disk.parent)
    esp.add_variable(vars_file(disk), NAME, SYSTEMD,
                          location(bogus, fx.meta["kernel"]["release"]))
    run = run_qemu(qemu, tmp_path / "serial.log", timeout=600)
    assert f"locate: resume=/dev/vda wins over HibernateLocation (UUID={bogus} offset=0)" \
        in run.text, run.text[-3000:]
    assert "resume from HibernateLocation" not in run.text
    assert_resumed(run, fx, disk)
    assert esp.variable(vars_file(disk), NAME, SYSTEMD) is None


def test_swap_file_through_variable(tmp_path):
    """A swap file: the variable names the filesystem's UUID and the file's first block
    (what systemd's sleep.c records from FIEMAP). The area holds only a hibernation
    signature, so thaw finds it there and then refuses the missing image; the variable
    stays, since nothing was committed."""
    fs_uuid = "0f0e0d0c-0b0a-0908-0706-050403020100"
    fs = tmp_path / "fs.img"
    block = diskimg.ext4_with_swapfile(fs, 32 << 20, fs_uuid, "rootfs", tmp_path)
    disk = diskimg.blank(tmp_path / "disk.img", 40 << 20)
    diskimg.mbr(disk, "label: dos\n,34M,83\n")
    diskimg.copy_into(disk, diskimg.part_start(disk, 1) * 512, fs)
    template = tmp_path / "vars.fd"
    shutil.copyfile(next(p for p in OVMF_VARS_CANDIDATES if Path(p).exists()), template)
    esp.add_variable(template, NAME, SYSTEMD, location(fs_uuid, "6.1.0-56-amd64", block))
    r = run_thaw("thaw.test_exit thaw.on_fail=poweroff", firmware="uefi", machine="q35",
                 disks=[Disk(disk)], vars_template=template, timeout=180, name="hibloc-file")
    r.expect_line(rf"locate: resume from HibernateLocation \(systemd\): UUID={fs_uuid} "
                  rf"offset={block} kernel=6.1.0-56-amd64")
    r.expect_line(rf"locate: resume=UUID={fs_uuid} is vda1")
    r.expect_line(rf"locate: hibernation image on vda1 \(header at page {block},")
    r.expect_no_line(r"efi: HibernateLocation deleted")


def assert_found_swap_file(run, sf):
    """thaw resolved the filesystem UUID to the whole disk (ext4 on vda, no partition
    table) and read the image's header page at the file's first block."""
    u, off = sf["uuid"], sf["offset"]
    assert f"locate: resume=UUID={u} is vda" in run.text, run.text[-3000:]
    assert f"locate: hibernation image on vda (header at page {off}," in run.text, \
        run.text[-3000:]


def test_swap_file_image_through_variable(tmp_path):
    """A real image in a swap file: Linux hibernated into /swapfile on ext4 (the header
    at the file's first block, the image pages wherever ext4 put the file's blocks). The
    variable names the filesystem's UUID and that block, as systemd's sleep.c writes it;
    thaw resumes with no options, deletes the variable, and a second boot finds nothing."""
    fx = hibernated_disk(SWAPFILE_VARIANT)
    sf = fx.meta["swapfile"]
    disk = fx.disk_copy(tmp_path)
    assert swap_header(disk, fx.variant)["sig"] == b"S1SUSPEND\0"
    run = boot(fx, disk, tmp_path, True,
               location(sf["uuid"], fx.meta["kernel"]["release"], sf["offset"]))
    assert f"locate: resume from HibernateLocation (systemd): UUID={sf['uuid']} " \
           f"offset={sf['offset']} kernel={fx.meta['kernel']['release']}" in run.text, \
        run.text[-3000:]
    assert_found_swap_file(run, sf)
    assert_resumed(run, fx, disk)       # the file's header page is SWAPSPACE2 again
    assert_consumed_then_nothing(run, fx, disk, tmp_path)


@SLOW
def test_swap_file_image_resume_option_bios(tmp_path):
    """The same kind of image under SeaBIOS (no EFI variables): resume=UUID=<filesystem>
    resume_offset=<first block> on thaw's command line, as a user writes it for Linux."""
    fx = hibernated_disk(SWAPFILE_BIOS_VARIANT)
    sf = fx.meta["swapfile"]
    disk = fx.disk_copy(tmp_path)
    args = f"{THAW_ARGS} resume=UUID={sf['uuid']} resume_offset={sf['offset']}"
    run = run_qemu(fx.qemu_args(cdrom=ik.thaw_iso(args), disk=disk), tmp_path / "serial.log",
                   timeout=900)
    assert_found_swap_file(run, sf)
    assert_resumed(run, fx, disk)


def test_thaw_efi_reads_variable(tmp_path):
    """thaw.efi (boot/efi_stub.c) started by the firmware from an ESP, as the boot option
    a user adds or GRUB's chainloader entry: no command line at all, the variable names
    the swap file, thaw resumes through it and deletes it."""
    fx = hibernated_disk(SWAPFILE_VARIANT)
    sf = fx.meta["swapfile"]
    disk = fx.disk_copy(tmp_path)
    img = esp.esp_image(tmp_path / "esp.img", {"EFI/BOOT/BOOTX64.EFI": esp.THAW_EFI})
    store = esp.fresh_vars(tmp_path / "OVMF_VARS.fd")
    esp.add_variable(store, NAME, SYSTEMD,
                     location(sf["uuid"], fx.meta["kernel"]["release"], sf["offset"]))
    run = run_qemu(esp.esp_qemu_args(fx.variant, img, disk, vars_fd=store),
                   tmp_path / "serial.log", timeout=900)
    assert 'boot: loaded by "thaw.efi on EDK II"' in run.text, run.text[-3000:]
    assert 'boot: command line ""' in run.text
    assert f"locate: resume from HibernateLocation (systemd): UUID={sf['uuid']} " \
           f"offset={sf['offset']}" in run.text, run.text[-3000:]
    assert_found_swap_file(run, sf)
    assert_resumed(run, fx, disk)
    assert "efi: HibernateLocation deleted" in run.text
    assert esp.variable(store, NAME, SYSTEMD) is None
