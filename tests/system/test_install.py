"""`make install` on a real system: the installed layout, and a Debian guest that
hibernates with `systemctl hibernate`, boots thaw once through GRUB's one-shot entry (set by
thaw's system-sleep hook with grub-reboot), comes back with its workload, and then boots
GRUB's default entry again.
"""
import os
import re
import shutil
import struct
import subprocess
from pathlib import Path

import pytest

import thawvm

REPO = thawvm.REPO
EXIT_OK = 33
SWSUSP_TAIL = struct.Struct("<IIQI10s10s")   # Linux kernel/power/swap.c, struct swsusp_header

INSTALLED = {  # path under DESTDIR (PREFIX=/usr/local): mode
    "boot/thaw.elf": 0o644,
    "boot/efi/EFI/thaw/thaw.efi": 0o644,
    "etc/grub.d/42_thaw": 0o755,
    "usr/local/bin/thawctl": 0o755,
    "usr/local/sbin/thaw-hibernate": 0o755,
    "usr/local/lib/thaw/thaw-next-boot": 0o755,
    "usr/local/lib/thaw/thaw.efi": 0o644,
    "usr/lib/systemd/system-sleep/thaw": 0o755,
    "usr/local/share/man/man7/thaw.7": 0o644,
    "usr/local/share/man/man8/thawctl.8": 0o644,
    "usr/local/share/man/man8/thaw-hibernate.8": 0o644,
}


def make(*args):
    r = subprocess.run(["make", "-C", str(REPO), "--no-print-directory", *args],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    return r


def installed_files(root: Path) -> dict:
    return {str(p.relative_to(root)): p.stat().st_mode & 0o777
            for p in root.rglob("*") if p.is_file()}


def test_install_layout_and_uninstall(tmp_path):
    """Everything lands where GRUB, systemd and PATH look; the hooks name the installed
    helper; uninstall leaves nothing behind."""
    root = tmp_path / "root"
    make("install", f"DESTDIR={root}")
    assert installed_files(root) == INSTALLED
    assert (root / "boot/thaw.elf").read_bytes() == thawvm.ELF.read_bytes()
    for hook in ("usr/lib/systemd/system-sleep/thaw", "usr/local/sbin/thaw-hibernate"):
        text = (root / hook).read_text()
        assert "@LIBDIR@" not in text and "/usr/local/lib/thaw/thaw-next-boot" in text
    make("uninstall", f"DESTDIR={root}")
    assert installed_files(root) == {}


def test_install_prefix(tmp_path):
    make("install", f"DESTDIR={tmp_path}", "PREFIX=/usr")
    assert (tmp_path / "usr/bin/thawctl").exists()
    assert "/usr/lib/thaw/thaw-next-boot" in (tmp_path / "usr/lib/systemd/system-sleep/thaw").read_text()


def swap_sig(disk: Path, offset: int) -> bytes:
    with open(disk, "rb") as f:
        f.seek(offset + 4096 - SWSUSP_TAIL.size)
        return SWSUSP_TAIL.unpack(f.read(SWSUSP_TAIL.size))[5]


def agent(run, what):
    """The fields of the first "AGENT: <what> k=v ..." line."""
    _, m = run.first(re.compile(rf"AGENT: {what}\b(.*)"))
    if not m:
        return None
    return dict(re.findall(r"(\w+)=(\S*)", m[1]), line=m[0])


def deb_path() -> Path:
    """`make deb`'s package (debhelper; lintian's verdict in build/deb/lintian.txt)."""
    out = make("deb").stdout
    m = re.search(r"DEB +(\S+\.deb)", out)
    assert m, out
    return REPO / m[1]


SLOW = os.environ.get("THAW_SLOW_TESTS") == "1"


@pytest.mark.parametrize("how", ["deb", pytest.param("make-install", marks=pytest.mark.skipif(
    not SLOW, reason="THAW_SLOW_TESTS=1: the package covers the same story"))])
def test_grub_one_shot_resume(tmp_path, how):
    """The whole user story, four boots of one machine: thaw installed with `dpkg -i` of
    the package (or `make install`); with the package the fourth boot purges it and
    checks that nothing is left."""
    import debianguest as g

    base = g.base_disk()
    disk = g.copy_disk(base, tmp_path)
    stage = tmp_path / "stage"
    if how == "deb":
        deb = deb_path()
        (stage / "var/lib/thaw-test/debs").mkdir(parents=True)
        shutil.copy(deb, stage / "var/lib/thaw-test/debs" / deb.name)
    else:
        make("install", f"DESTDIR={stage}")
    tar = tmp_path / "install.tar"
    subprocess.run(["tar", "--owner=0", "--group=0", "-cf", str(tar), "-C", str(stage), "."],
                   check=True)
    ctl = g.control_disk(tmp_path, tar)

    # 1: GRUB into the boot sector, thaw's entry into grub.cfg (update-grub runs 42_thaw).
    log = tmp_path / "1-setup.log"
    run = g.boot(disk, ctl, log, kernel=g.kernel_files(),
                 append="root=/dev/vda1 rw console=ttyS0,115200 thawtest=setup")
    assert agent(run, "setup done") is not None and run.rc == EXIT_OK, f"setup failed; {log}"
    _, found = run.first(re.compile(r"Found thaw: /boot/thaw.elf \((resume=UUID=[0-9a-f-]+)\)"))
    assert found, f"42_thaw did not name the swap partition by UUID; {log}"
    cfg = g.read_file(disk, "/boot/grub/grub.cfg").decode()
    assert "--id thaw" in cfg and f"multiboot2 /boot/thaw.elf {found[1]}" in cfg

    # 2: GRUB's default entry boots Debian; `systemctl hibernate` writes the image and
    # thaw's hook arms the one-shot entry.
    log = tmp_path / "2-hibernate.log"
    run = g.boot(disk, ctl, log)
    before = agent(run, "hibernating")
    assert before is not None, f"no workload; {log}"
    assert not run.first(re.compile(r"AGENT: (back|error)"))[1], f"did not hibernate; {log}"
    assert run.rc == 0 and not run.timed_out, f"rc={run.rc}; {log}"
    assert swap_sig(disk, g.PART2_START) == b"S1SUSPEND\0"
    env = g.read_file(disk, "/boot/grub/grubenv").decode()
    assert re.search(r"^next_entry=thaw$", env, re.M), env
    # The hook recorded the swap area in use at hibernation for the GRUB entry.
    assert re.search(rf"^thaw_resume={found[1][7:]}$", env, re.M), env
    assert re.search(r"^thaw_resume_offset=0$", env, re.M), env

    # 3: GRUB boots thaw once; thaw resumes Debian, whose workload is still there.
    log = tmp_path / "3-thaw.log"
    run = g.boot(disk, ctl, log)
    t_grub, _ = run.first(re.compile(r"Loading thaw \.\.\."))
    t_thaw, _ = run.first(re.compile(r"thaw: resumes a hibernated Linux"))
    assert t_grub is not None and t_thaw is not None, f"GRUB did not boot thaw; {log}"
    assert not run.first(re.compile(r"Loading Linux"))[1], f"GRUB booted Linux; {log}"
    # GRUB passed what the hook recorded (update-grub's line has no resume_offset=).
    assert run.first(re.compile(rf'boot: command line "{found[1]} resume_offset=0'))[1], \
        f"the GRUB entry did not use grubenv's thaw_resume; {log}"
    back = agent(run, "back")
    assert back is not None, f"the workload did not come back; {log}"
    assert back["token"] == before["token"] and back["boot_id"] == before["boot_id"]
    assert back["alive"] == "yes" and back["data"] == "ok", back
    assert "next_entry=thaw" not in back["line"], "the one-shot entry is still armed"
    assert run.rc == EXIT_OK, f"rc={run.rc}; {log}"
    assert swap_sig(disk, g.PART2_START) == b"SWAPSPACE2"

    # 4: the next boot is GRUB's default entry again (Debian's 10_linux entry prints
    # these two lines; stop there, the rest is an ordinary boot).
    env = g.read_file(disk, "/boot/grub/grubenv").decode()
    assert not re.search(r"^next_entry=.", env, re.M), env
    log = tmp_path / "4-normal.log"
    run = g.boot(disk, ctl, log, stop_re=None if how == "deb" else
                 re.compile(r"Loading initial ramdisk"))
    assert run.first(re.compile(r"Loading Linux \S+-amd64 \.\.\."))[1], f"{log}"
    assert run.first(re.compile(r"Loading initial ramdisk"))[1], f"{log}"
    assert not run.first(re.compile(r"Loading thaw|thaw: resumes"))[1], f"thaw booted again; {log}"
    if how == "deb":
        purged = agent(run, "purged")
        assert purged is not None and run.rc == EXIT_OK, f"rc={run.rc}; {log}"
        assert purged["rc"] == "0" and purged["left"] == "", purged["line"]
        assert purged["grubcfg"] == "0" and purged["grubenv"] == "0", purged["line"]
        assert purged["dpkg"] != "install_ok_installed", purged["line"]


@pytest.mark.parametrize("fs, layers, armed", [("ext2", "", True), ("btrfs", "", False),
                                               ("ext2", "lvm", False)])
def test_next_boot_hook(tmp_path, fs, layers, armed):
    """thaw-next-boot with stand-ins for GRUB's tools: pre arms the one-shot entry only
    where GRUB can clear it again; post always disarms."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls"
    for tool, out in (("grub-probe", None), ("grub-reboot", ""), ("grub-editenv", "")):
        body = f'echo "{tool} $*" >> {calls}\n'
        if tool == "grub-probe":
            body += f'case "$1" in --target=fs) echo {fs} ;; --target=abstraction) echo {layers} ;; esac\n'
        (bin_dir / tool).write_text("#!/bin/sh\n" + body)
        (bin_dir / tool).chmod(0o755)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin"}
    hook = REPO / "dist/sleep/thaw-next-boot"
    pre = subprocess.run(["sh", str(hook), "pre"], env=env, capture_output=True, text=True)
    log = calls.read_text()
    assert (pre.returncode == 0) == armed, pre.stderr
    assert ("grub-reboot thaw" in log) == armed
    if not armed:
        assert "not arming thaw" in pre.stderr
    post = subprocess.run(["sh", str(hook), "post"], env=env, capture_output=True, text=True)
    assert post.returncode == 0
    assert "grub-editenv - unset next_entry" in calls.read_text()
    assert subprocess.run(["sh", str(hook), "bogus"], env=env, capture_output=True).returncode == 2


def _maint(script, *args, root):
    r = subprocess.run(["sh", "-e", str(REPO / "debian" / script), *args],
                       env=dict(os.environ, DPKG_ROOT=str(root)), capture_output=True,
                       text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    return r.stderr


def test_deb_scripts_copy_thaw_efi_to_esp(tmp_path):
    """The package keeps thaw.efi in /usr/lib/thaw; its postinst copies it to a mounted
    ESP (DPKG_ROOT points the scripts at tmp_path), an upgrade replaces that copy, a
    thaw.efi the administrator put there (a signed one) stays, and prerm removes only
    the package's own copy."""
    root = tmp_path / "root"
    src = root / "usr/lib/thaw/thaw.efi"
    src.parent.mkdir(parents=True)
    shutil.copyfile(thawvm.REPO / "build" / "thaw.efi", src)
    mnt = root / "boot/efi"
    mnt.mkdir(parents=True)
    dst = mnt / "EFI/thaw/thaw.efi"
    stamp = root / "var/lib/thaw/esp-thaw.efi.sha256"
    # No ESP mounted: nothing to copy, and no error.
    _maint("postinst", "configure", root=root)
    assert not dst.exists() and not stamp.exists()
    # The ESP: a tmpfs mounted there (what the scripts test is that a file system is
    # mounted at /boot/efi; this host's kernel need not have vfat).
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "thaw-esp", str(mnt)],
                   check=True)
    try:
        _maint("postinst", "configure", root=root)
        assert dst.read_bytes() == src.read_bytes() and stamp.exists()
        # An upgrade: a new thaw.efi in /usr/lib/thaw replaces the package's copy.
        src.write_bytes(src.read_bytes() + b"\0" * 512)
        _maint("postinst", "configure", "0.1", root=root)
        assert dst.read_bytes() == src.read_bytes()
        # The administrator's own (signed) thaw.efi: left alone by upgrade and removal.
        dst.write_bytes(b"MZ signed by the administrator")
        err = _maint("postinst", "configure", "0.1", root=root)
        assert "was not installed by this package" in err
        assert dst.read_bytes() == b"MZ signed by the administrator"
        _maint("prerm", "remove", root=root)
        assert dst.read_bytes() == b"MZ signed by the administrator" and not stamp.exists()
        # The package's own copy goes on removal, with its directory.
        dst.unlink()
        _maint("postinst", "configure", root=root)
        assert dst.exists()
        _maint("prerm", "upgrade", "0.2", root=root)
        assert dst.exists()
        _maint("prerm", "remove", root=root)
        assert not dst.exists() and not dst.parent.exists() and not stamp.exists()
        _maint("postrm", "purge", root=root)
        assert not (root / "var/lib/thaw").exists()
    finally:
        subprocess.run(["umount", str(mnt)], check=True)
