"""thawctl status against fake system trees (THAWCTL_SYSROOT): a system ready for thaw
(every check ok, exit 0), then each way it can fall short, with the line that says so and
exit 6 (man/thawctl.8)."""
import subprocess
from pathlib import Path

import thawvm

THAWCTL = thawvm.BUILD / "asan" / "thawctl"     # host runs: under ASan + UBSan
NOT_READY = 6
SWAP_UUID = bytes(range(0x10, 0x20))
SWAP_UUID_TEXT = "10111213-1415-1617-1819-1a1b1c1d1e1f"
SYSTEMD = "8cf2644b-4b0b-428f-9387-6d876050dc67"
GLOBAL = "8be4df61-93ca-11d2-aa0d-00e098032b8c"


def write(root: Path, path: str, data, mode=0o644):
    p = root / path.lstrip("/")
    p.parent.mkdir(parents=True, exist_ok=True)
    (p.write_bytes if isinstance(data, bytes) else p.write_text)(data)
    p.chmod(mode)
    return p


def swap_page(uuid=SWAP_UUID) -> bytes:
    page = bytearray(4096)
    page[1024] = 1                       # mkswap header version
    page[1036:1052] = uuid
    page[4086:4096] = b"SWAPSPACE2"
    return bytes(page)


def ready_system(root: Path, *, uefi=True, systemd=257, fs="ext4") -> Path:
    """The tree a package install leaves on a UEFI machine with a swap partition."""
    write(root, "/boot/thaw.elf", b"\x7fELF")
    write(root, "/boot/grub/grub.cfg",
          "menuentry 'Debian' {\n\tlinux /vmlinuz\n}\n"
          "menuentry 'Resume hibernated system (thaw)' --id thaw {\n"
          f"\tmultiboot2 /boot/thaw.elf resume=UUID={SWAP_UUID_TEXT}\n}}\n")
    write(root, "/boot/grub/grubenv", "# GRUB Environment Block\n" + "#" * 990)
    write(root, "/usr/lib/thaw/thaw-next-boot", "#!/bin/sh\n", 0o755)
    write(root, "/usr/lib/systemd/system-sleep/thaw",
          "#!/bin/sh\ncase \"$2\" in\nhibernate)\n\texec /usr/lib/thaw/thaw-next-boot \"$1\"\n"
          "\t;;\nesac\n", 0o755)
    write(root, "/dev/vda2", swap_page())
    write(root, "/proc/swaps", "Filename\tType\tSize\tUsed\tPriority\n"
          f"/dev/vda2 partition 1048572 1024 -2\n")
    write(root, "/proc/meminfo", "MemTotal:        2000000 kB\nMemFree: 1 kB\n")
    write(root, "/sys/power/image_size", "819200000\n")
    write(root, "/proc/mounts", f"/dev/vda1 / {fs} rw 0 0\nproc /proc proc rw 0 0\n")
    write(root, f"/usr/lib/x86_64-linux-gnu/systemd/libsystemd-shared-{systemd}.so", b"")
    if uefi:
        write(root, f"/sys/firmware/efi/efivars/SecureBoot-{GLOBAL}", b"\x06\0\0\0\0")
    return root


def status(root: Path):
    r = subprocess.run([str(THAWCTL), "status"], env={"THAWCTL_SYSROOT": str(root)},
                       capture_output=True, text=True)
    lines = {}
    for line in r.stdout.splitlines():
        if not line.startswith("status:"):
            lines[line[6:24].strip()] = (line[:4].strip(), line[25:])
    return r, lines


def test_ready(tmp_path):
    r, lines = status(ready_system(tmp_path))
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.rstrip().endswith("status: the next hibernation will resume through thaw")
    assert set(lines) == {"thaw", "GRUB entry", "sleep hook", "swap", "swap size",
                          "resume device", "GRUB env", "Secure Boot", "HibernateLocation"}
    assert all(v == "ok" for v, _ in lines.values()), r.stdout
    assert lines["resume device"][1] == f"/dev/vda2 UUID={SWAP_UUID_TEXT}"
    assert "systemd 257 records it" in lines["HibernateLocation"][1]
    assert lines["swap size"][1].startswith("1022 MiB free >= image_size 781 MiB")


def fails(root, check, words, verdict="FAIL"):
    r, lines = status(root)
    assert lines[check][0] == verdict, r.stdout
    assert words in lines[check][1], r.stdout
    if verdict == "FAIL":
        assert r.returncode == NOT_READY, r.stdout
        assert "will NOT resume through thaw" in r.stdout
    return r


def test_nothing_installed(tmp_path):
    root = ready_system(tmp_path)
    for p in ("boot/thaw.elf", "usr/lib/systemd/system-sleep/thaw"):
        (root / p).unlink()
    fails(root, "thaw", "neither /boot/thaw.elf nor thaw.efi")
    r = fails(root, "sleep hook", "no systemd-sleep hook")
    assert "(2 checks failed)" in r.stdout


def test_efi_application_counts(tmp_path):
    root = ready_system(tmp_path)
    (root / "boot/thaw.elf").unlink()
    write(root, "/boot/efi/EFI/thaw/thaw.efi", b"MZ")
    r, lines = status(root)
    assert r.returncode == 0 and lines["thaw"] == ("ok", "/boot/efi/EFI/thaw/thaw.efi (EFI application)")


def test_hook_helper_missing(tmp_path):
    root = ready_system(tmp_path)
    (root / "usr/lib/thaw/thaw-next-boot").unlink()
    fails(root, "sleep hook", "runs /usr/lib/thaw/thaw-next-boot, which is missing")


def test_no_grub_entry(tmp_path):
    root = ready_system(tmp_path)
    write(root, "/boot/grub/grub.cfg", "menuentry 'Debian' {\n}\n")
    fails(root, "GRUB entry", "no thaw entry in /boot/grub/grub.cfg (run update-grub)")


def test_no_swap(tmp_path):
    root = ready_system(tmp_path)
    write(root, "/proc/swaps", "Filename\tType\tSize\tUsed\tPriority\n")
    r = fails(root, "swap", "no active swap area")
    assert "swap size" not in r.stdout and "resume device" not in r.stdout


def test_swap_too_small_warns(tmp_path):
    root = ready_system(tmp_path)
    write(root, "/sys/power/image_size", str(4 << 30) + "\n")
    r = fails(root, "swap size", "< image_size 4096 MiB", verdict="warn")
    assert r.returncode == 0


def test_swap_changed_since_update_grub(tmp_path):
    root = ready_system(tmp_path)
    write(root, "/dev/vda2", swap_page(bytes(range(0xa0, 0xb0))))
    fails(root, "resume device", f"the GRUB entry says UUID={SWAP_UUID_TEXT}", verdict="warn")


def test_grubenv_on_btrfs(tmp_path):
    root = ready_system(tmp_path, fs="btrfs")
    fails(root, "GRUB env", "/boot/grub is on btrfs")
    (root / "boot/grub/grubenv").unlink()
    fails(root, "GRUB env", "missing or not writable")


def test_secure_boot_on(tmp_path):
    root = ready_system(tmp_path)
    write(root, f"/sys/firmware/efi/efivars/SecureBoot-{GLOBAL}", b"\x06\0\0\0\x01")
    fails(root, "Secure Boot", "enabled")


def test_bios_and_old_systemd(tmp_path):
    root = ready_system(tmp_path, uefi=False, systemd=252)
    r, lines = status(root)
    assert r.returncode == 0, r.stdout
    assert lines["Secure Boot"] == ("info", "BIOS boot: not applicable")
    assert lines["HibernateLocation"][0] == "info"
    root2 = ready_system(tmp_path / "b", systemd=252)
    fails(root2, "HibernateLocation", "systemd 252 is older than 254", verdict="info")
    write(root2, f"/sys/firmware/efi/efivars/HibernateLocation-{SYSTEMD}", b"\x07\0\0\0{\0")
    fails(root2, "HibernateLocation", "set now", verdict="info")
