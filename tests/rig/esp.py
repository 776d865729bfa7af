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
from pathlib import Path

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


def esp_qemu_args(fx, esp: Path, disk: Path, *, secure_boot=False, vars_fd: Path = None):
    """The fixture's QEMU command line with the ESP disk where its CD was.

    secure_boot: Debian's Secure Boot OVMF (SMM required, so q35 with smm=on and the
    flash marked secure) with the snakeoil keys enrolled. vars_fd: an OVMF variable store
    to use instead of the fresh copy guest_qemu_args() makes."""
    args = fx.qemu_args(cdrom="CDROM", disk=disk)
    i = args.index("-cdrom")
    args[i:i + 2] = ["-drive", f"file={esp},format=raw,if=ide,index=2,media=disk"]
    if vars_fd is not None or secure_boot:
        code = OVMF_CODE_SB if secure_boot else None
        for j, a in enumerate(args):
            if a.startswith("if=pflash") and "unit=1" in a:
                if vars_fd is None:
                    vars_fd = Path(str(esp) + ".VARS_SB.fd")
                    shutil.copyfile(OVMF_VARS_SB, vars_fd)
                args[j] = f"if=pflash,format=raw,unit=1,file={vars_fd}"
            if code and a.startswith("if=pflash") and "unit=0" in a:
                args[j] = f"if=pflash,format=raw,unit=0,readonly=on,file={code}"
    if secure_boot:
        m = args.index("-machine")
        args[m + 1] += ",smm=on"
        args += ["-global", "driver=cfi.pflash01,property=secure,value=on"]
    return args


def sign(src: Path, dst: Path, key: Path = SNAKEOIL_KEY, cert: Path = SNAKEOIL_CERT) -> Path:
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


def add_variable(vars_fd: Path, name: str, guid: str, data: bytes,
                 attrs: int = EFI_VARIABLE_NV_BS_RT) -> None:
    """Append a non-authenticated variable to an OVMF_VARS file (offline, before boot)."""
    blob = bytearray(vars_fd.read_bytes())
    hlen = struct.unpack_from("<H", blob, _FV_HEADER_LEN_AT)[0]
    off = hlen + 28                         # VARIABLE_STORE_HEADER: guid, size, fmt, state, rsvd
    while struct.unpack_from("<H", blob, off)[0] == _START_ID:
        h = _VAR_HEADER.unpack_from(blob, off)
        off += _VAR_HEADER.size + h[7] + h[8]
        off = (off + 3) & ~3
    name16 = (name + "\0").encode("utf-16-le")
    rec = _VAR_HEADER.pack(_START_ID, _VAR_ADDED, 0, attrs, 0, b"\0" * 16, 0,
                           len(name16), len(data), _guid_bytes(guid)) + name16 + data
    if any(b != 0xFF for b in blob[off:off + len(rec)]):
        raise RuntimeError("OVMF variable store full or not in the expected layout")
    blob[off:off + len(rec)] = rec
    vars_fd.write_bytes(bytes(blob))
