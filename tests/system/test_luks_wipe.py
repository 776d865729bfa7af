"""No key outlives thaw: after a LUKS2 volume is unlocked, thaw stops by a panic, a CPU
exception or a clean stop, and the whole guest RAM (QEMU's pmemsave, vCPUs stopped) holds
neither the volume key, nor the passphrase, nor the keyslot's derived key, nor its
anti-forensic key material. The control: the same dump taken while thaw waits at the
prompt of a second container, with the first one unlocked, does hold the first volume
key (AES-NI's round keys 0 and 1 are the key itself), so the search can find what it
looks for."""
import base64
import hashlib
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import tempfile

import pytest

import imagekernel as ik
from fixtures.guest_qemu import run_qemu
from test_luks_resume import CHEAP, PASS, encrypt, image, tools  # noqa: F401 (autouse)

MEM_MIB = 512

pytestmark = pytest.mark.skipif(shutil.which("cryptsetup") is None or os.geteuid() != 0,
                                reason="needs root, cryptsetup-bin and python3-cryptography "
                                       "(scripts/deps.sh)")


def secrets(disk) -> dict:
    """What must not survive, computed on the host from the container and PASS."""
    vk = subprocess.run(["cryptsetup", "luksDump", "--dump-volume-key", "--batch-mode",
                         "--key-file", "-", str(disk)], input=PASS, check=True,
                        capture_output=True, text=True).stdout
    key = bytes.fromhex("".join(vk.split("MK dump:", 1)[1].split()))
    assert len(key) == 64
    meta = json.loads(subprocess.run(["cryptsetup", "luksDump", "--dump-json-metadata",
                                      str(disk)], check=True, capture_output=True,
                                     text=True).stdout)
    slot = meta["keyslots"]["0"]
    kdf, area = slot["kdf"], slot["area"]
    assert kdf["type"] == "pbkdf2" and area["encryption"] == "aes-xts-plain64"
    dk = hashlib.pbkdf2_hmac(kdf["hash"], PASS.encode(), base64.b64decode(kdf["salt"]),
                             kdf["iterations"], area["key_size"])
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
    with open(disk, "rb") as f:
        f.seek(int(area["offset"]))
        sector = f.read(512)
    dec = Cipher(algorithms.AES(dk), modes.XTS(struct.pack("<QQ", 0, 0))).decryptor()
    stripes = dec.update(sector) + dec.finalize()
    return {"volume key, first half": key[:32], "volume key, second half": key[32:],
            "passphrase": PASS.encode(), "keyslot's derived key": dk[:32],
            "anti-forensic stripes": stripes[:32]}


def hmp(sock_path, commands):
    """Run human-monitor commands in order; each waits for the next "(qemu)" prompt."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(300)
        s.connect(str(sock_path))
        seen = b""
        for i, cmd in enumerate(commands):
            while seen.count(b"(qemu)") < i + 1:
                chunk = s.recv(65536)
                if not chunk:
                    return
                seen += chunk
            s.sendall(cmd.encode() + b"\n")
        while True:          # the last command ("quit") ends the connection
            chunk = s.recv(65536)
            if not chunk:
                return
            seen += chunk


def run_and_dump(disks, tmp, args, dump_at, keys_after=r"luks: vda is encrypted"):
    """Boot thaw on disks, type PASS at vda's prompt; on the first line matching dump_at
    stop the vCPUs, save all RAM to tmp/ram.bin and quit. Returns (run, RAM bytes)."""
    mon_dir = tempfile.mkdtemp(prefix="thaw-mon-")     # a short Unix socket path
    mon = os.path.join(mon_dir, "m")
    dump = tmp / "ram.bin"
    qemu = ["qemu-system-x86_64", "-machine", "pc", "-m", f"{MEM_MIB}M", "-cpu", "max",
            "-cdrom", str(ik.thaw_iso(args))]
    for d in disks:
        qemu += ["-drive", f"file={d},format=raw,if=virtio"]
    qemu += ik.EXIT_DEVICE + ["-boot", "order=d", "-net", "none", "-display", "none",
                              "-serial", "stdio", "-no-reboot",
                              "-monitor", f"unix:{mon},server=on,wait=off"]
    errors = []

    def save(line):
        try:
            hmp(mon, ["stop", f"pmemsave 0 {MEM_MIB << 20} \"{dump}\"", "quit"])
        except OSError as e:
            errors.append(e)

    try:
        run = run_qemu(qemu, tmp / "serial.log", timeout=300, keys=PASS + "\r",
                       keys_after=re.compile(keys_after), on_line=(re.compile(dump_at), save))
    finally:
        shutil.rmtree(mon_dir, ignore_errors=True)
    assert dump.exists() and dump.stat().st_size == MEM_MIB << 20, \
        f"no RAM dump (rc {run.rc}, monitor {errors})\n{run.text[-3000:]}"
    ram = dump.read_bytes()
    dump.unlink()
    return run, ram


def found(ram, wanted):
    return sorted(name for name, needle in wanted.items() if needle in ram)


@pytest.fixture
def disk(tmp_path, tmp_path_factory):
    _, d = image(tmp_path, tmp_path_factory)
    encrypt(d, *CHEAP)
    return d


@pytest.mark.parametrize("how, args, dump_at", [
    ("panic", "thaw.test=late-panic", r"thaw: stopped\. This is a bug"),
    ("exception", "thaw.test=late-fault", r"thaw: stopped\. This is a bug"),
    ("stop", "thaw.on_fail=halt resume=/dev/nothing-here", r"thaw: halted"),
])
def test_keys_wiped(tmp_path, disk, how, args, dump_at):
    wanted = secrets(disk)
    run, ram = run_and_dump([disk], tmp_path, args, dump_at)
    assert "luks: vda: decrypted as dm-0" in run.text, run.text[-3000:]
    assert "AES-NI" in run.text
    assert found(ram, wanted) == [], f"after a {how}: {found(ram, wanted)} still in RAM"


def test_control_key_found_while_unlocked(tmp_path, disk):
    """Two containers: at the second one's prompt thaw waits, the first is unlocked."""
    second = tmp_path / "second.img"
    shutil.copyfile(disk, second)
    subprocess.run(["cryptsetup", "luksUUID", "--batch-mode", "--uuid",
                    "00000000-0000-4000-8000-000000000002", str(second)], check=True)
    wanted = secrets(disk)
    run, ram = run_and_dump([disk, second], tmp_path, "thaw.on_fail=halt",
                            r"luks: vdb is encrypted")
    assert "luks: vda: decrypted as dm-0" in run.text, run.text[-3000:]
    assert found(ram, wanted) == ["volume key, first half", "volume key, second half"]
