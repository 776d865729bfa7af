"""Read and write variables in an OVMF variable store file (OVMF_VARS_4M.fd) offline, so a
test can boot OVMF with a variable already set and look at the store after the run.

Layout (EDK II MdeModulePkg/Include/Guid/VariableFormat.h, the authenticated format
Debian's OVMF uses): a firmware-volume header (HeaderLength u16 at 0x30), then the
variable store header (GUID, Size u32, Format 0x5A, State 0xFE; 28 bytes), then variables:
a 60-byte AUTHENTICATED_VARIABLE_HEADER (StartId 0x55AA, State, Attributes, …,
NameSize, DataSize, VendorGuid), the UTF-16LE name with NUL and the data, each header on
a 4-byte boundary. A variable is live while its State is VAR_ADDED (0x3F), possibly
with VAR_IN_DELETED_TRANSITION cleared (0x3E); deletion clears more bits (0x3D, 0x3C)."""
import struct
import uuid
from pathlib import Path
from typing import Optional

FV_HEADER_LENGTH_AT = 0x30
STORE_HEADER_SIZE = 28
VAR_HDR = struct.Struct("<HBBIQ16sIII16s")     # 60 bytes
START_ID = 0x55AA
VAR_ADDED = 0x3F
LIVE_STATES = (0x3F, 0x3E)
ATTR_NV_BS_RT = 7


def _records(blob: bytes):
    """(offset, state, attributes, name, guid, data) of every record in the store."""
    (hlen,) = struct.unpack_from("<H", blob, FV_HEADER_LENGTH_AT)
    store = hlen
    (size,) = struct.unpack_from("<I", blob, store + 16)
    pos, end = store + STORE_HEADER_SIZE, store + size
    while pos + VAR_HDR.size <= end:
        start, state, _, attr, _, _, _, nsize, dsize, guid = VAR_HDR.unpack_from(blob, pos)
        if start != START_ID:
            return
        name = blob[pos + VAR_HDR.size:pos + VAR_HDR.size + nsize].decode("utf-16-le")
        data_at = pos + VAR_HDR.size + nsize
        yield pos, state, attr, name.rstrip("\0"), uuid.UUID(bytes_le=guid), \
            blob[data_at:data_at + dsize]
        pos = (data_at + dsize + 3) & ~3
    return


def _free_offset(blob: bytes) -> int:
    (hlen,) = struct.unpack_from("<H", blob, FV_HEADER_LENGTH_AT)
    pos = hlen + STORE_HEADER_SIZE
    for off, _, _, name, _, data in _records(blob):
        nsize = (len(name) + 1) * 2
        pos = (off + VAR_HDR.size + nsize + len(data) + 3) & ~3
    return pos


def set_variable(path: Path, name: str, vendor: str, data: bytes,
                 attributes: int = ATTR_NV_BS_RT) -> None:
    """Append a live variable record (the store must not already hold a live one)."""
    blob = bytearray(Path(path).read_bytes())
    if get_variable(path, name, vendor) is not None:
        raise ValueError(f"{name} already set in {path}")
    name16 = (name + "\0").encode("utf-16-le")
    rec = VAR_HDR.pack(START_ID, VAR_ADDED, 0, attributes, 0, b"\0" * 16, 0,
                       len(name16), len(data), uuid.UUID(vendor).bytes_le) + name16 + data
    at = _free_offset(blob)
    if blob[at:at + len(rec)] != b"\xff" * len(rec):
        raise ValueError(f"no free space at 0x{at:x} in {path}")
    blob[at:at + len(rec)] = rec
    Path(path).write_bytes(bytes(blob))


def get_variable(path: Path, name: str, vendor: str) -> Optional[bytes]:
    """The data of the live variable name/vendor, or None."""
    want = uuid.UUID(vendor)
    found = None
    for _, state, _, n, guid, data in _records(Path(path).read_bytes()):
        if n == name and guid == want and state in LIVE_STATES:
            found = data
    return found
