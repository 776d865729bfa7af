"""thaw.efi (boot/efi_stub.c): thaw started as a UEFI application — by the firmware from
an ESP, through systemd-boot with a one-shot entry, and under Secure Boot — resumes real
Debian images hibernated on the same firmware; the firmware refuses an unsigned or
tampered thaw.efi when Secure Boot is on.

Machines: tests/fixtures' UEFI guest (q35 + OVMF) with an ESP disk in the CD's place
(tests/rig/esp.py). Success is the guest's own proof, as in test_resume_real.py."""
import re
import sys

import pytest

import esp
import imagekernel as ik

sys.path.insert(0, str(ik.REPO / "tests"))
from fixtures.debian_kernel import kernel  # noqa: E402
from fixtures.guest_qemu import run_qemu  # noqa: E402
from fixtures.initramfs import initramfs  # noqa: E402
from fixtures.realimage import RESUMED_RE, hibernated_disk, swap_header  # noqa: E402

EXIT_OK = 33
VARIANT = "lzo-uefi-smp1"
STUB_RE = re.compile(r"thaw-efi: thaw\.efi started as a UEFI application")
BANNER = "thaw: resumes a hibernated Linux"
LOADED_RE = re.compile(r'boot: loaded by "thaw\.efi on EDK II"')
MATCH_RE = re.compile(r"resume: memory map matches the image's \(e820 crc32 0x[0-9a-f]+, "
                      r"(?P<how>[^)]*)\)")
# EDK II BdsDxe when a boot option's image fails to load (MdeModulePkg BmBoot.c).
DENIED_RE = re.compile(r"BdsDxe: failed to load Boot\d+ .*: Access Denied")
TIMEOUT = 900


def assert_resumed(run, disk, variant=VARIANT):
    text = run.text
    _, m = run.first(RESUMED_RE)
    assert m, f"rc {run.rc} timed_out {run.timed_out}\n{text[-5000:]}"
    assert m["checksum"] == "ok" and m["counter"] == "ok", m.group(0)
    assert run.rc == EXIT_OK
    assert STUB_RE.search(text) and BANNER in text and LOADED_RE.search(text)
    assert ik.RESUMING_RE.search(text)
    assert swap_header(disk, variant)["sig"] == b"SWAPSPACE2"


def test_firmware_starts_thaw_efi(tmp_path):
    """OVMF boots \\EFI\\BOOT\\BOOTX64.EFI = thaw.efi from an ESP disk; thaw resumes the
    image Linux hibernated on the same machine (booted by GRUB: GRUB's e820 candidate)."""
    fx = hibernated_disk(VARIANT)
    disk = fx.disk_copy(tmp_path)
    img = esp.esp_image(tmp_path / "esp.img", {"EFI/BOOT/BOOTX64.EFI": esp.THAW_EFI})
    run = run_qemu(esp.esp_qemu_args(VARIANT, img, disk), tmp_path / "serial.log", TIMEOUT)
    assert_resumed(run, disk)
    assert 'boot: command line ""' in run.text    # the firmware's boot option has none
    assert MATCH_RE.search(run.text)


def _sdboot_cycle(tmp_path, secure_boot):
    """Hibernate Linux booted by systemd-boot (its EFI stub makes the e820), then boot
    again with LoaderEntryOneShot=thaw.conf, as dist/sleep/thaw-next-boot arranges."""
    kern = kernel()
    signer = esp.resign if secure_boot else None
    img = esp.sdboot_esp(tmp_path / "esp.img", kern, initramfs(kern),
                         esp.hibernate_cmdline(esp.as_variant(VARIANT)),
                         thaw_options="thaw.on_fail=poweroff loglevel=7", signer=signer)
    vars_fd = esp.fresh_vars(tmp_path / "OVMF_VARS.fd", secure_boot=secure_boot)
    disk = esp.hibernate_through_sdboot(VARIANT, tmp_path, img, vars_fd,
                                        secure_boot=secure_boot, timeout=TIMEOUT)
    esp.add_variable(vars_fd, "LoaderEntryOneShot", esp.LOADER_GUID,
                     "thaw.conf\0".encode("utf-16-le"))
    args = esp.esp_qemu_args(VARIANT, img, disk, secure_boot=secure_boot, vars_fd=vars_fd)
    run = run_qemu(args, tmp_path / "serial.log", TIMEOUT)
    assert_resumed(run, disk)
    # systemd-boot started thaw.conf (its options are thaw's command line) and consumed
    # the one-shot variable: the next boot is the default entry again.
    assert 'boot: command line "thaw.on_fail=poweroff loglevel=7"' in run.text
    assert esp.variable(vars_fd, "LoaderEntryOneShot", esp.LOADER_GUID) is None
    # Linux's EFI stub built the hashed map; thaw's own e820 from the UEFI map matches it.
    _, m = run.first(MATCH_RE)
    assert m and m["how"] == "the boot loader's memory map", run.text[-4000:]
    return run


def test_systemd_boot_oneshot(tmp_path):
    _sdboot_cycle(tmp_path, secure_boot=False)


def test_secure_boot_signed_resumes(tmp_path):
    """Secure Boot on (snakeoil PK/KEK/db): systemd-boot, Linux and thaw.efi signed with
    the snakeoil key; thaw resumes."""
    run = _sdboot_cycle(tmp_path, secure_boot=True)
    assert not DENIED_RE.search(run.text)


@pytest.mark.parametrize("how", ["unsigned", "tampered"])
def test_secure_boot_refuses(how, tmp_path):
    """The firmware refuses thaw.efi unsigned, or signed and then changed by one byte."""
    efi = tmp_path / "thaw.efi"
    if how == "unsigned":
        efi.write_bytes(esp.THAW_EFI.read_bytes())
    else:
        esp.sign(esp.THAW_EFI, efi)
        data = bytearray(efi.read_bytes())
        data[0x1200] ^= 0x01                    # inside .text, after the headers
        efi.write_bytes(bytes(data))
    img = esp.esp_image(tmp_path / "esp.img", {"EFI/BOOT/BOOTX64.EFI": efi})
    disk = tmp_path / "disk.img"
    esp.disk_image(disk, 64, False)
    args = esp.esp_qemu_args(VARIANT, img, disk, secure_boot=True)
    run = run_qemu(args, tmp_path / "serial.log", TIMEOUT, stop_re=DENIED_RE)
    assert DENIED_RE.search(run.text), run.text[-3000:]
    assert not STUB_RE.search(run.text) and BANNER not in run.text
