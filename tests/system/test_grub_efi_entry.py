"""dist/grub.d/42_thaw's chainloader entry ("thaw-efi") as update-grub writes it, booted by
GRUB (UEFI) with the swap area the sleep hook recorded in grubenv: that location wins over
the one update-grub saw, and thaw.efi resumes a real image from a swap file through it.

The entry is the script's own output: 42_thaw runs in a private mount namespace where
/boot/efi is a file system holding EFI/thaw/thaw.efi and /etc/default/thaw names a stale
swap area, with a grub-probe stand-in describing the test's ESP (a GPT disk, FAT, its
volume id). GRUB is grub-mkstandalone's image with that grub.cfg and a grubenv written by
grub-editenv, as thaw-next-boot writes it (thaw_resume, thaw_resume_offset)."""
import re
import struct
import subprocess
import sys

import esp
import imagekernel as ik

sys.path.insert(0, str(ik.REPO / "tests"))
from fixtures.guest_qemu import run_qemu  # noqa: E402
from fixtures.realimage import RESUMED_RE, hibernated_disk, swap_header  # noqa: E402

EXIT_OK = 33
VARIANT = "lzo-uefi-smp1-swapfile"
STALE = "UUID=0badc0de-0000-4000-8000-00000000000e"
FAT32_VOLID_AT = 0x43       # BPB of a FAT32 boot sector (Microsoft FAT spec, BS_VolID)
FAT32_BACKUP_BOOT = 6       # BPB_BkBootSec as mkfs.vfat sets it: the boot sector's copy
VOLID = 0x7468A3F1          # the ESP's volume id, "7468-A3F1" to GRUB's search --fs-uuid

GRUB_PROBE = """#!/bin/sh
# grub-probe's answers for the test ESP (grub-mkconfig_lib asks by --target=).
for a; do case "$a" in --target=*) t=${a#--target=} ;; esac; done
case "$t" in
device) echo /dev/thaw-test-esp ;;
partmap) echo gpt ;;
fs) echo fat ;;
fs_uuid) echo %s ;;
abstraction|compatibility_hint|hints_string) ;;
*) exit 1 ;;
esac
"""

# Runs as root in its own mount namespace: nothing it mounts is seen outside.
NAMESPACE = """set -e
mount --make-rprivate /
mount -t tmpfs thaw-test-boot /boot
mkdir -p /boot/efi
mount -t tmpfs thaw-test-esp /boot/efi
mkdir -p /boot/efi/EFI/thaw
cp "$THAW_EFI_SRC" /boot/efi/EFI/thaw/thaw.efi
mount -t tmpfs thaw-test-default /etc/default
echo "THAW_RESUME=$STALE" > /etc/default/thaw
exec sh "$SCRIPT"
"""

HEADER = """serial --unit=0 --speed=115200
terminal_input serial console
terminal_output serial console
set timeout=0
set default=thaw-efi
"""


def set_volume_id(img):
    """Give the ESP's FAT a known volume id (mkfs.vfat picks one at random), so the
    generated entry's search can name it before the ESP holding GRUB exists."""
    with open(img, "r+b") as f:
        for sector in (0, FAT32_BACKUP_BOOT):
            f.seek(esp.ESP_START + sector * 512 + FAT32_VOLID_AT)
            f.write(struct.pack("<I", VOLID))


def generated_entry(tmp_path, volid) -> str:
    probe = tmp_path / "grub-probe"
    probe.write_text(GRUB_PROBE % volid)
    probe.chmod(0o755)
    r = subprocess.run(["unshare", "-m", "sh", "-c", NAMESPACE], capture_output=True,
                       text=True, env={"PATH": "/usr/sbin:/usr/bin:/sbin:/bin",
                                       "grub_probe": str(probe), "STALE": STALE,
                                       "THAW_EFI_SRC": str(esp.THAW_EFI),
                                       "SCRIPT": str(ik.REPO / "dist/grub.d/42_thaw")})
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"Found thaw.efi: /boot/efi/EFI/thaw/thaw.efi (resume={STALE})" in r.stderr
    return r.stdout


def test_chainloader_entry_takes_grubenv_location(tmp_path):
    fx = hibernated_disk(VARIANT)
    sf = fx.meta["swapfile"]
    disk = fx.disk_copy(tmp_path)
    entry = generated_entry(tmp_path, f"{VOLID >> 16:04X}-{VOLID & 0xffff:04X}")
    assert "--id thaw-efi" in entry and "chainloader /EFI/thaw/thaw.efi" in entry, entry
    assert "multiboot2" not in entry        # no /boot/thaw.elf in that namespace
    cfg = tmp_path / "grub.cfg"
    cfg.write_text(HEADER + entry)
    env = tmp_path / "grubenv"
    subprocess.run(["grub-editenv", str(env), "create"], check=True)
    subprocess.run(["grub-editenv", str(env), "set", f"thaw_resume=UUID={sf['uuid']}",
                    f"thaw_resume_offset={sf['offset']}"], check=True)
    grub = tmp_path / "grubx64.efi"
    subprocess.run(["grub-mkstandalone", "-O", "x86_64-efi", "--locales=", "--fonts=",
                    "--themes=", "--modules=part_gpt fat chain search search_fs_uuid serial "
                    "terminal echo loadenv test", "-o", str(grub),
                    f"boot/grub/grub.cfg={cfg}", f"boot/grub/grubenv={env}"],
                   check=True, capture_output=True)
    img = esp.esp_image(tmp_path / "esp.img", {"EFI/BOOT/BOOTX64.EFI": grub,
                                               "EFI/thaw/thaw.efi": esp.THAW_EFI})
    set_volume_id(img)
    run = run_qemu(esp.esp_qemu_args(fx.variant, img, disk), tmp_path / "serial.log", 600)
    assert "Loading thaw.efi ..." in run.text, run.text[-3000:]
    want = f"resume=UUID={sf['uuid']} resume_offset={sf['offset']}"
    assert re.search(rf'boot: command line "{re.escape(want)}\s*"', run.text), \
        run.text[-3000:]
    assert f"locate: hibernation image on vda (header at page {sf['offset']}," in run.text
    _, m = run.first(RESUMED_RE)
    assert m and m["checksum"] == "ok" and m["counter"] == "ok", run.text[-3000:]
    assert run.rc == EXIT_OK
    assert swap_header(disk, fx.variant)["sig"] == b"SWAPSPACE2"
