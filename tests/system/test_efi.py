"""thaw.efi (boot/efi_stub.c): thaw started as a UEFI application — by the firmware from
an ESP, through systemd-boot with a one-shot entry, and under Secure Boot — resumes real
Debian images hibernated on the same firmware; the firmware refuses an unsigned or
tampered thaw.efi when Secure Boot is on.

Machines: tests/fixtures' UEFI guest (q35 + OVMF) with an ESP disk in the CD's place
(tests/rig/esp.py). Success is the guest's own proof, as in test_resume_real.py.
The thaw.delay variant of the keyboard test runs with THAW_SLOW_TESTS=1."""
import os
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
SLOW = pytest.mark.skipif(os.environ.get("THAW_SLOW_TESTS") != "1", reason="set THAW_SLOW_TESTS=1")


def assert_resumed(run, disk, variant=VARIANT):
    text = run.text
    _, m = run.first(RESUMED_RE)
    assert m, f"rc {run.rc} timed_out {run.timed_out}\n{text[-5000:]}"
    assert m["checksum"] == "ok" and m["counter"] == "ok", m.group(0)
    assert run.rc == EXIT_OK
    assert STUB_RE.search(text) and BANNER in text and LOADED_RE.search(text)
    assert ik.RESUMING_RE.search(text)
    assert swap_header(disk, variant)["sig"] == b"SWAPSPACE2"


@pytest.mark.parametrize("variant", [VARIANT, pytest.param(VARIANT + "-la57", marks=SLOW)])
def test_firmware_starts_thaw_efi(variant, tmp_path):
    """OVMF boots \\EFI\\BOOT\\BOOTX64.EFI = thaw.efi from an ESP disk; thaw resumes the
    image Linux hibernated on the same machine (booted by GRUB: GRUB's e820 candidate).
    -la57: a CPU with 5-level paging, a 5-level image; thaw.efi switches depth to hand over."""
    fx = hibernated_disk(variant)
    disk = fx.disk_copy(tmp_path)
    img = esp.esp_image(tmp_path / "esp.img", {"EFI/BOOT/BOOTX64.EFI": esp.THAW_EFI})
    run = run_qemu(esp.esp_qemu_args(variant, img, disk), tmp_path / "serial.log", TIMEOUT)
    assert_resumed(run, disk, variant)
    assert 'boot: command line ""' in run.text    # the firmware's boot option has none
    assert "thaw-efi: Secure Boot is off" in run.text
    assert MATCH_RE.search(run.text)


GRUB_CFG = """serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=0
search --no-floppy --file /EFI/thaw/thaw.efi --set=root
menuentry 'Resume hibernated system (thaw.efi)' --id thaw-efi {
	echo 'Loading thaw.efi ...'
	chainloader /EFI/thaw/thaw.efi thaw.on_fail=poweroff loglevel=6
	boot
}
"""


def test_grub_chainloader(tmp_path):
    """GRUB (UEFI) chainloads thaw.efi as dist/grub.d/42_thaw's thaw-efi entry does; the
    arguments arrive as thaw's command line, and thaw resumes."""
    import subprocess
    fx = hibernated_disk(VARIANT)
    disk = fx.disk_copy(tmp_path)
    (tmp_path / "grub.cfg").write_text(GRUB_CFG)
    grub = tmp_path / "grubx64.efi"
    subprocess.run(["grub-mkstandalone", "-O", "x86_64-efi", "--locales=", "--fonts=",
                    "--themes=", "--modules=part_gpt fat chain search search_fs_file serial "
                    "terminal echo", "-o", str(grub),
                    f"boot/grub/grub.cfg={tmp_path / 'grub.cfg'}"], check=True,
                   capture_output=True)
    img = esp.esp_image(tmp_path / "esp.img", {"EFI/BOOT/BOOTX64.EFI": grub,
                                               "EFI/thaw/thaw.efi": esp.THAW_EFI})
    run = run_qemu(esp.esp_qemu_args(VARIANT, img, disk), tmp_path / "serial.log", TIMEOUT)
    assert "Loading thaw.efi ..." in run.text, run.text[-3000:]
    assert_resumed(run, disk)
    assert 'boot: command line "thaw.on_fail=poweroff loglevel=6"' in run.text


def _sdboot_cycle(tmp_path, secure_boot):
    """Hibernate Linux booted by systemd-boot (its EFI stub makes the e820), then boot
    again with LoaderEntryOneShot=thaw.conf, as dist/sleep/thaw-next-boot arranges."""
    kern = kernel()
    signer = esp.resign if secure_boot else None
    img = esp.sdboot_esp(tmp_path / "esp.img", kern, initramfs(kern),
                         esp.hibernate_cmdline(esp.as_variant(VARIANT)),
                         thaw_options="thaw.on_fail=poweroff loglevel=7", signer=signer)
    vars_fd = esp.fresh_vars(tmp_path / "OVMF_VARS.fd", secure_boot=secure_boot)
    if secure_boot:
        # Linux refuses to hibernate under Secure Boot's lockdown (kernel/power/
        # hibernate.c hibernation_available()): hibernate with enforcement switched off
        # in the same variable store, then switch it on for thaw.
        esp.patch_variable(vars_fd, *esp.SECURE_BOOT_ENABLE, b"\0")
    disk = esp.hibernate_through_sdboot(VARIANT, tmp_path, img, vars_fd,
                                        secure_boot=secure_boot, timeout=TIMEOUT)
    if secure_boot:
        esp.patch_variable(vars_fd, *esp.SECURE_BOOT_ENABLE, b"\1")
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
    assert "thaw-efi: Secure Boot is on: the firmware verified thaw.efi" in run.text


@pytest.mark.parametrize("how", ["unsigned", "tampered"])
def test_secure_boot_refuses(how, tmp_path):
    """The firmware refuses thaw.efi unsigned, or signed and then changed by one byte."""
    efi = tmp_path / "thaw.efi"
    if how == "unsigned":
        efi.write_bytes(esp.THAW_EFI.read_bytes())
    else:
        # `make sign` (sbsign + sbverify), then one byte of code changed.
        import subprocess
        key = esp.snakeoil_key(tmp_path)
        r = subprocess.run(["make", "-C", str(ik.REPO), "--no-print-directory", "sign",
                            f"KEY={key}", f"CERT={esp.SNAKEOIL_CERT}"],
                           capture_output=True, text=True)
        assert r.returncode == 0 and "Signature verification OK" in r.stdout + r.stderr, \
            r.stdout + r.stderr
        signed = (ik.REPO / "build/thaw.signed.efi").read_bytes()
        assert len(signed) > len(esp.THAW_EFI.read_bytes())    # the signature was appended
        data = bytearray(signed)
        data[0x1200] ^= 0x01                    # inside .text, after the headers
        efi.write_bytes(bytes(data))
    img = esp.esp_image(tmp_path / "esp.img", {"EFI/BOOT/BOOTX64.EFI": efi})
    disk = tmp_path / "disk.img"
    esp.disk_image(disk, 64, False)
    args = esp.esp_qemu_args(VARIANT, img, disk, secure_boot=True)
    run = run_qemu(args, tmp_path / "serial.log", TIMEOUT, stop_re=DENIED_RE)
    assert DENIED_RE.search(run.text), run.text[-3000:]
    assert not STUB_RE.search(run.text) and BANNER not in run.text


@pytest.mark.parametrize("options, prompt, keys", [
    ("noresume thaw.test_exit", r"thaw-efi: not resuming\. Discard", b"y"),
    pytest.param("thaw.delay=20 thaw.test_exit", r"thaw-efi: resuming in 20 s; press any key",
                 b"xy", marks=SLOW),
])
def test_firmware_keyboard_discard(tmp_path, options, prompt, keys):
    """Through systemd-boot, thaw.efi asks its questions through the firmware's keyboard
    (here its serial terminal) before ExitBootServices: noresume's discard question, or
    thaw.delay's countdown (a key cancels, then the discard question). thaw's own prompt
    takes the answer: the image is discarded, the swap area is swap again."""
    fx = hibernated_disk(VARIANT)
    disk = fx.disk_copy(tmp_path)
    kern = kernel()
    img = esp.sdboot_esp(tmp_path / "esp.img", kern, initramfs(kern), "unused",
                         thaw_options=options)
    vars_fd = esp.fresh_vars(tmp_path / "OVMF_VARS.fd")
    esp.add_variable(vars_fd, "LoaderEntryOneShot", esp.LOADER_GUID,
                     "thaw.conf\0".encode("utf-16-le"))
    args = esp.esp_qemu_args(VARIANT, img, disk, vars_fd=vars_fd)
    rc, text = esp.run_qemu_typing(args, tmp_path / "serial.log", TIMEOUT,
                                   re.compile(prompt), keys)
    assert "thaw-efi: not resuming. Discard the hibernation image" in text, text[-3000:]
    assert "thaw-efi: answer read; thaw's prompt gets it" in text    # read before EBS
    if "thaw.delay" in options:     # the countdown ran in the stub, not again in thaw
        assert f'boot: command line "{options} thaw.delay=0 noresume"' in text
        assert "thaw: resuming in" not in text
    assert BANNER in text and "resume: image discarded" in text, text[-3000:]
    assert swap_header(disk, VARIANT)["sig"] == b"SWAPSPACE2"


def _efivar(d, name, guid, data: bytes):
    (d / f"{name}-{guid}").write_bytes(b"\x07\x00\x00\x00" + data)    # efivarfs: attrs first


@pytest.mark.parametrize("manager, secure, cfg_has_efi, expect", [
    ("systemd-boot", False, False, "bootctl set-oneshot thaw.conf"),
    ("grub", False, True, "grub-reboot thaw"),
    ("grub", True, True, "grub-reboot thaw-efi"),
    ("grub", True, False, None),            # Secure Boot and no chainloader entry: refuse
])
def test_next_boot_hook_efi(tmp_path, manager, secure, cfg_has_efi, expect):
    """dist/sleep/thaw-next-boot with stand-ins for bootctl and GRUB's tools and a fake
    efivarfs: systemd-boot (LoaderInfo) gets LoaderEntryOneShot, GRUB gets the
    multiboot2 entry, or the thaw.efi chainloader entry under Secure Boot."""
    import subprocess
    bin_dir, efivars, esp_dir = tmp_path / "bin", tmp_path / "efivars", tmp_path / "esp"
    for d in (bin_dir, efivars, esp_dir / "loader/entries"):
        d.mkdir(parents=True)
    (esp_dir / "loader/entries/thaw.conf").write_text(esp.SDBOOT_ENTRY.read_text())
    calls = tmp_path / "calls"
    tools = {"grub-probe": 'case "$1" in --target=fs) echo ext2 ;; esac',
             "grub-reboot": "", "grub-editenv": "",
             "bootctl": f'[ "$1" = --print-esp-path ] && echo {esp_dir}'}
    for tool, body in tools.items():
        (bin_dir / tool).write_text(f'#!/bin/sh\necho "{tool} $*" >> {calls}\n{body}\nexit 0\n')
        (bin_dir / tool).chmod(0o755)
    if manager == "systemd-boot":
        _efivar(efivars, "LoaderInfo", esp.LOADER_GUID, "systemd-boot 252\0".encode("utf-16-le"))
    _efivar(efivars, "SecureBoot", "8be4df61-93ca-11d2-aa0d-00e098032b8c",
            bytes([1 if secure else 0]))
    cfg = tmp_path / "grub.cfg"
    cfg.write_text("menuentry 'x' --id thaw {\n}\n" +
                   ("menuentry 'y' --id thaw-efi {\n}\n" if cfg_has_efi else ""))
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "THAW_EFIVARS": str(efivars),
           "THAW_GRUB_CFG": str(cfg)}
    hook = ik.REPO / "dist/sleep/thaw-next-boot"
    pre = subprocess.run(["sh", str(hook), "pre"], env=env, capture_output=True, text=True)
    log = calls.read_text() if calls.exists() else ""
    if expect is None:
        assert pre.returncode == 1 and "not arming thaw" in pre.stderr
        assert "grub-reboot" not in log
    else:
        assert pre.returncode == 0, pre.stderr
        assert re.search(rf"^{re.escape(expect)}$", log, re.M), log
    post = subprocess.run(["sh", str(hook), "post"], env=env, capture_output=True, text=True)
    assert post.returncode == 0
    undo = 'bootctl set-oneshot ' if manager == "systemd-boot" else "grub-editenv - unset next_entry"
    assert undo in calls.read_text()


def test_install_systemd_boot_entry(tmp_path):
    """make install with systemd-boot: thaw.efi and loader/entries/thaw.conf on the ESP;
    uninstall takes both away."""
    import subprocess
    root = tmp_path / "root"

    def make(*a):
        r = subprocess.run(["make", "-C", str(ik.REPO), "--no-print-directory", *a,
                            f"DESTDIR={root}", "ESP=/efi", "SDBOOT=1"],
                           capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr

    make("install", "THAW_EFI_OPTIONS=thaw.delay=3")
    assert (root / "efi/EFI/thaw/thaw.efi").read_bytes() == esp.THAW_EFI.read_bytes()
    conf = (root / "efi/loader/entries/thaw.conf").read_text()
    assert "efi     /EFI/thaw/thaw.efi" in conf and conf.endswith("options thaw.delay=3\n")
    make("uninstall")
    assert not (root / "efi/EFI/thaw/thaw.efi").exists()
    assert not (root / "efi/loader/entries/thaw.conf").exists()
