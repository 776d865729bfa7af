"""EFI system partitions for thaw.efi's tests, and the QEMU machines that boot them.

    img = esp_image(tmp_path / "esp.img", {"EFI/BOOT/BOOTX64.EFI": thaw_efi})
    args = esp_qemu_args(fx, img, disk)          # the fixture's machine, ESP in the CD's place
    args = esp_qemu_args(fx, img, disk, secure_boot=True, vars_fd=...)

The image is a GPT disk with one FAT32 ESP at 1 MiB, made with sfdisk, mkfs.vfat and
mtools (mmd/mcopy on image@@offset), the way an installer lays one out. The fixture
machines boot a CD; the ESP disk takes the CD's place (the same AHCI port, ide.2) so the
firmware's memory map stays the one the image was hibernated under."""
import shutil
import struct
import subprocess
import uuid
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "tests"))
from fixtures.guest_qemu import (OVMF_VARS, disk_image, guest_qemu_args,  # noqa: E402
                                 run_qemu)
from fixtures.realimage import (HIBERNATE_SIG, POWER_DOWN_RE, READY_RE,  # noqa: E402
                                hibernate_cmdline, swap_header)
from fixtures.variant import as_variant  # noqa: E402

THAW_EFI = REPO / "build" / "thaw.efi"
SDBOOT_ENTRY = REPO / "dist" / "systemd-boot" / "thaw.conf"

ESP_START = 1 << 20
ESP_TYPE = "C12A7328-F81F-11D2-BA4B-00A0C93EC93B"
OVMF_CODE_SB = Path("/usr/share/OVMF/OVMF_CODE_4M.snakeoil.fd")
OVMF_VARS_SB = Path("/usr/share/OVMF/OVMF_VARS_4M.snakeoil.fd")
SNAKEOIL_KEY = Path("/usr/share/ovmf/PkKek-1-snakeoil.key")
SNAKEOIL_CERT = Path("/usr/share/ovmf/PkKek-1-snakeoil.pem")
SYSTEMD_BOOT = Path("/usr/lib/systemd/boot/efi/systemd-bootx64.efi")

# systemd's vendor GUID for the boot loader interface variables (LoaderEntryOneShot &
# co., systemd docs "The Boot Loader Interface").
LOADER_GUID = "4a67b082-0a4c-41cf-b6c7-440b29bb8c4f"


def _run(*cmd, stdin=None):
    subprocess.run(cmd, input=stdin, check=True, capture_output=True)


def esp_image(path: Path, files: dict, size_mib: int = 64) -> Path:
    """A GPT disk of size_mib with one ESP holding files {"EFI/BOOT/BOOTX64.EFI": src,
    "loader/entries/thaw.conf": b"text"...} (src: a Path to copy, or bytes)."""
    with open(path, "wb") as f:
        f.truncate(size_mib << 20)
    _run("sfdisk", "--no-reread", "--no-tell-kernel", "-q", str(path),
         stdin=f"label: gpt\nstart=2048, type={ESP_TYPE}, name=ESP\n".encode())
    part = Path(str(path) + ".part")
    with open(part, "wb") as f:
        f.truncate((size_mib << 20) - ESP_START - (1 << 20))   # GPT backup at the end
    _run("mkfs.vfat", "-F", "32", "-n", "ESP", str(part))
    dirs = sorted({str(Path(name).parent) for name in files} - {"."},
                  key=lambda d: d.count("/"))
    made = set()
    for d in dirs:
        parts = Path(d).parts
        for i in range(1, len(parts) + 1):
            sub = "/".join(parts[:i])
            if sub not in made:
                _run("mmd", "-i", str(part), "::/" + sub)
                made.add(sub)
    for name, src in files.items():
        if isinstance(src, (bytes, str)):
            tmp = Path(str(path) + ".tmpfile")
            tmp.write_bytes(src.encode() if isinstance(src, str) else src)
            src = tmp
        _run("mcopy", "-i", str(part), str(src), "::/" + name)
    with open(part, "rb") as fin, open(path, "r+b") as fout:
        fout.seek(ESP_START)
        shutil.copyfileobj(fin, fout)
    part.unlink()
    Path(str(path) + ".tmpfile").unlink(missing_ok=True)
    return path


def esp_qemu_args(variant, esp: Path, disk: Path, *, secure_boot=False, vars_fd: Path = None):
    """The fixture machine of variant (guest_qemu_args) with the ESP disk where its CD was.

    secure_boot: Debian's Secure Boot OVMF (SMM required, so q35 with smm=on and the
    flash marked secure) with the snakeoil keys enrolled. vars_fd: an OVMF variable store
    to boot with (kept across boots, as a real machine's NVRAM); default: a fresh copy."""
    args = guest_qemu_args(variant, "CDROM", disk, workdir=Path(esp).parent,
                           fresh_vars=vars_fd is None and not secure_boot)
    i = args.index("-cdrom")
    args[i:i + 2] = ["-drive", f"file={esp},format=raw,if=ide,index=2,media=disk"]
    for j, a in enumerate(args):
        if a.startswith("if=pflash") and "unit=1" in a and (vars_fd or secure_boot):
            if vars_fd is None:
                vars_fd = Path(str(esp) + ".VARS_SB.fd")
                shutil.copyfile(OVMF_VARS_SB, vars_fd)
            args[j] = f"if=pflash,format=raw,unit=1,file={vars_fd}"
        if a.startswith("if=pflash") and "unit=0" in a and secure_boot:
            args[j] = f"if=pflash,format=raw,unit=0,readonly=on,file={OVMF_CODE_SB}"
    if secure_boot:
        m = args.index("-machine")
        args[m + 1] += ",smm=on"
        args += ["-global", "driver=cfi.pflash01,property=secure,value=on"]
    return args


def fresh_vars(path: Path, secure_boot=False) -> Path:
    """A new OVMF variable store: Debian's empty one, or the one with the snakeoil keys."""
    shutil.copyfile(OVMF_VARS_SB if secure_boot else OVMF_VARS, path)
    return path


def snakeoil_key(workdir: Path) -> Path:
    """Debian's snakeoil key without its passphrase ("snakeoil", /usr/share/doc/ovmf/
    README.Debian), so sbsign can read it unattended."""
    out = Path(workdir) / "PkKek-1-snakeoil.key.pem"
    if not out.exists():
        _run("openssl", "pkey", "-in", str(SNAKEOIL_KEY), "-passin", "pass:snakeoil",
             "-out", str(out))
    return out


def sign(src: Path, dst: Path, key: Path = None, cert: Path = SNAKEOIL_CERT) -> Path:
    """sbsign src into dst (default: the snakeoil key, which OVMF's snakeoil vars trust)."""
    key = key or snakeoil_key(Path(dst).parent)
    _run("sbsign", "--key", str(key), "--cert", str(cert), "--output", str(dst), str(src))
    return dst


def _guid_bytes(g: str) -> bytes:
    return uuid.UUID(g).bytes_le


# OVMF's variable store layout (EDK II MdeModulePkg VariableFormat.h: an authenticated
# variable store after the firmware volume header; each variable a 60-byte
# AUTHENTICATED_VARIABLE_HEADER, name and data, 4-byte aligned).
_FV_HEADER_LEN_AT = 0x30
_VAR_HEADER = struct.Struct("<HBBIQ16sIII16s")
_VAR_ADDED = 0x3F
_START_ID = 0x55AA
EFI_VARIABLE_NV_BS_RT = 7


def _variables(blob: bytes):
    """(data offset, end offset, name, guid bytes, state, data) of each record in an
    OVMF_VARS file, in store order."""
    off = struct.unpack_from("<H", blob, _FV_HEADER_LEN_AT)[0] + 28   # + VARIABLE_STORE_HEADER
    while struct.unpack_from("<H", blob, off)[0] == _START_ID:
        h = _VAR_HEADER.unpack_from(blob, off)
        name_at = off + _VAR_HEADER.size
        data_at = name_at + h[7]
        end = (data_at + h[8] + 3) & ~3
        name = blob[name_at:data_at].decode("utf-16-le").rstrip("\0")
        yield data_at, end, name, h[9], h[1], blob[data_at:data_at + h[8]]
        off = end


def _live(blob: bytes, name: str, guid: str):
    for rec in _variables(blob):
        if rec[2] == name and rec[3] == _guid_bytes(guid) and rec[4] == _VAR_ADDED:
            return rec
    return None


def variable(vars_fd: Path, name: str, guid: str):
    """The data of a live (not deleted) variable in an OVMF_VARS file, or None."""
    rec = _live(vars_fd.read_bytes(), name, guid)
    return rec[5] if rec else None


def patch_variable(vars_fd: Path, name: str, guid: str, data: bytes) -> None:
    """Overwrite the data of a live variable in place (same length), offline."""
    blob = bytearray(vars_fd.read_bytes())
    rec = _live(bytes(blob), name, guid)
    if rec is None or len(rec[5]) != len(data):
        raise ValueError(f"{name}: no live variable of {len(data)} bytes in {vars_fd}")
    blob[rec[0]:rec[0] + len(data)] = data
    vars_fd.write_bytes(bytes(blob))


# EDK II SecurityPkg SecureBootConfigDxe: the switch behind the SecureBoot variable
# (AuthVariableLib: SecureBoot = 1 when PK is enrolled and this is 1).
SECURE_BOOT_ENABLE = ("SecureBootEnable", "f0a30bc7-af08-4556-99c4-001009c93a44")


def add_variable(vars_fd: Path, name: str, guid: str, data: bytes,
                 attrs: int = EFI_VARIABLE_NV_BS_RT) -> None:
    """Append a non-authenticated variable to an OVMF_VARS file (offline, before boot)."""
    blob = bytearray(vars_fd.read_bytes())
    off = struct.unpack_from("<H", blob, _FV_HEADER_LEN_AT)[0] + 28
    for rec in _variables(bytes(blob)):
        off = rec[1]
    name16 = (name + "\0").encode("utf-16-le")
    rec = _VAR_HEADER.pack(_START_ID, _VAR_ADDED, 0, attrs, 0, b"\0" * 16, 0,
                           len(name16), len(data), _guid_bytes(guid)) + name16 + data
    if any(b != 0xFF for b in blob[off:off + len(rec)]):
        raise RuntimeError("OVMF variable store full or not in the expected layout")
    blob[off:off + len(rec)] = rec
    vars_fd.write_bytes(bytes(blob))


def sdboot_esp(path: Path, kern, initrd: Path, cmdline: str, thaw_efi: Path = THAW_EFI,
               thaw_options: str = "", signer=None) -> Path:
    """An ESP with systemd-boot as the boot manager, as `bootctl install` lays it out: a
    default entry booting Linux through its EFI stub with cmdline, and thaw.conf starting
    thaw.efi (what `make install` adds). signer(src, dst) signs every EFI binary."""
    binaries = {"EFI/BOOT/BOOTX64.EFI": SYSTEMD_BOOT, "debian/vmlinuz": kern.vmlinuz,
                "EFI/thaw/thaw.efi": thaw_efi}
    files = {}
    for name, src in binaries.items():
        if signer:
            src = signer(Path(src), Path(str(path) + "." + Path(name).name.lower()))
        files[name] = src
    files["debian/initrd.gz"] = initrd
    files["loader/loader.conf"] = "default debian.conf\ntimeout 0\nconsole-mode keep\n"
    files["loader/entries/debian.conf"] = (f"title Debian\nlinux /debian/vmlinuz\n"
                                           f"initrd /debian/initrd.gz\noptions {cmdline}\n")
    # The entry `make install` writes: dist/systemd-boot/thaw.conf + THAW_EFI_OPTIONS.
    files["loader/entries/thaw.conf"] = (SDBOOT_ENTRY.read_text()
                                         + (f"options {thaw_options}\n" if thaw_options else ""))
    return esp_image(path, files)


def resign(src: Path, dst: Path, key: Path = None, cert: Path = SNAKEOIL_CERT) -> Path:
    """Sign with the snakeoil key, replacing any signature the binary had (Debian's)."""
    bare = Path(str(dst) + ".unsigned")
    shutil.copyfile(src, bare)
    # Fails harmlessly on a binary that was not signed to begin with.
    subprocess.run(["sbattach", "--remove", str(bare)], capture_output=True)
    sign(bare, dst, key, cert)
    bare.unlink()
    return dst


class HibernateError(RuntimeError):
    pass


def hibernate_through_sdboot(variant, workdir: Path, esp: Path, vars_fd: Path, *,
                             secure_boot=False, timeout=900) -> Path:
    """Boot Linux from esp's default systemd-boot entry on variant's machine and let the
    guest hibernate onto a fresh disk; return the disk (S1SUSPEND checked)."""
    v = as_variant(variant)
    disk = workdir / "disk.img"
    disk_image(disk, v.disk_mib, v.part)
    args = esp_qemu_args(v, esp, disk, secure_boot=secure_boot, vars_fd=vars_fd)
    run = run_qemu(args, workdir / "hibernate.log", timeout)
    t_off, _ = run.first(POWER_DOWN_RE)
    if not run.first(READY_RE)[1] or t_off is None or \
            swap_header(disk, v)["sig"] != HIBERNATE_SIG:
        raise HibernateError(f"hibernation through systemd-boot failed (rc {run.rc}); "
                             f"log {workdir / 'hibernate.log'}:\n{run.text[-3000:]}")
    return disk


def run_qemu_typing(args, log_path: Path, timeout: float, prompt_re, keys: bytes):
    """Like fixtures.guest_qemu.run_qemu, but with the serial console's input open: when a
    line matches prompt_re, type keys (the firmware's serial terminal is one of its
    ConIn keyboards). Returns (rc, text); rc 124 on timeout."""
    import subprocess as sp
    import threading
    import time
    proc = sp.Popen(["timeout", "--kill-after=5", str(int(timeout) + 5)] + list(args),
                    stdin=sp.PIPE, stdout=sp.PIPE, stderr=sp.STDOUT)
    lines, typed = [], threading.Event()

    def reader():
        with open(log_path, "w") as log:
            log.write("# " + " ".join(args) + "\n")
            start = time.monotonic()
            for raw in proc.stdout:
                line = raw.decode("utf-8", "replace").rstrip("\r\n")
                lines.append(line)
                log.write(f"[{time.monotonic() - start:8.3f}] {line}\n")
                log.flush()
                if not typed.is_set() and prompt_re.search(line):
                    typed.set()
                    proc.stdin.write(keys)
                    proc.stdin.flush()

    th = threading.Thread(target=reader, daemon=True)
    th.start()
    try:
        rc = proc.wait(timeout=timeout)
    except sp.TimeoutExpired:
        proc.terminate()
        proc.wait()
        rc = 124
    th.join(timeout=10)
    return rc, "\n".join(lines)


__all__ = ["esp_image", "esp_qemu_args", "fresh_vars", "sign", "resign", "add_variable",
           "sdboot_esp", "hibernate_through_sdboot", "hibernate_cmdline", "LOADER_GUID",
           "THAW_EFI", "run_qemu_typing"]
