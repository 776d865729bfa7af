"""Which vCPUs run the resumed kernel: a QMP look at every CPU's registers.

A CPU the resumed Linux brought online runs with paging on (CR0.PG), in its kernel or in
a user process; one it failed to start still waits for a SIPI in the state INIT left
(CR0 = 0x60000010, real mode, paging off). QEMU is stopped for the look and continued."""
import json
import re
import socket
import time
from pathlib import Path
from typing import List

CR0_PG = 1 << 31
_CPU_RE = re.compile(r"CPU#(\d+)")
_RIP_RE = re.compile(r"RIP=([0-9a-f]{16})")
_CR0_RE = re.compile(r"CR0=([0-9a-f]{8})")


def qmp_args(path: Path) -> List[str]:
    return ["-qmp", f"unix:{path},server=on,wait=off"]


def _call(f, command, **arguments):
    msg = {"execute": command}
    if arguments:
        msg["arguments"] = arguments
    f.write(json.dumps(msg) + "\n")
    f.flush()
    while True:
        reply = json.loads(f.readline())
        if "event" in reply:
            continue
        if "error" in reply:
            raise RuntimeError(f"QMP {command}: {reply['error']}")
        return reply.get("return")


def registers(path: Path) -> str:
    """`info registers -a` with the VM stopped for the moment it takes."""
    sock = socket.socket(socket.AF_UNIX)
    sock.settimeout(60)
    for _ in range(100):
        try:
            sock.connect(str(path))
            break
        except OSError:
            time.sleep(0.1)
    with sock, sock.makefile("rw") as f:
        json.loads(f.readline())
        _call(f, "qmp_capabilities")
        _call(f, "stop")
        try:
            return _call(f, "human-monitor-command", **{"command-line": "info registers -a"})
        finally:
            _call(f, "cont")


def cpu_states(text: str) -> dict:
    """{cpu index: (cr0, rip)} from `info registers -a`."""
    out = {}
    for chunk in re.split(r"(?=CPU#\d+)", text):
        m = _CPU_RE.match(chunk)
        rip, cr0 = _RIP_RE.search(chunk), _CR0_RE.search(chunk)
        if m and rip and cr0:
            out[int(m.group(1))] = (int(cr0.group(1), 16), int(rip.group(1), 16))
    return out


def online(state) -> bool:
    cr0, _rip = state
    return bool(cr0 & CR0_PG)
