"""The power-cut scenario of the QEMU check: cut the board's power before each flash operation of
"mark bootable" in turn and show that it then boots a verified image, the old or the new one.

The cut is a system reset at a breakpoint, through QEMU's gdbstub (GDB remote protocol, spoken
here: no gdb needed): the breakpoints sit on port_flash_erase and port_flash_write (addresses
from the ELF's symbol table via arm-none-eabi-nm), mark bootable is sent, the k-th stop resets
the board. The slots survive the reset as flash would (QEMU keeps RAM across a reset); the CPU,
the verifier's RAM and the UART do not."""
import os
import socket
import subprocess
import time

from smp_client import SmpError


class Gdb:
    """Just enough of the GDB remote protocol: breakpoints, continue, interrupt, monitor."""

    def __init__(self, path, timeout=10.0):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock.connect(path)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SmpError(f"QEMU's gdbstub did not open {path}")
                time.sleep(0.05)
        self.buf = b""
        self.timeout = timeout
        # QEMU halts the guest when a debugger connects and says so unasked ($T02…): acknowledge
        # and drop that, so each command below reads its own reply.
        self.sock.settimeout(0.5)
        try:
            if b"#" in self.sock.recv(4096):
                self.sock.sendall(b"+")
        except socket.timeout:
            pass
        self.sock.settimeout(timeout)

    def _recv(self):
        data = self.sock.recv(4096)
        if not data:
            raise SmpError("QEMU closed the gdbstub connection")
        self.buf += data

    def packet(self, timeout=None):
        """The next packet's payload (acknowledged); '+' acks are skipped."""
        self.sock.settimeout(timeout or self.timeout)
        while True:
            start = self.buf.find(b"$")
            end = self.buf.find(b"#", start + 1) if start >= 0 else -1
            if start >= 0 and end >= 0 and len(self.buf) >= end + 3:
                body = self.buf[start + 1:end]
                self.buf = self.buf[end + 3:]
                self.sock.sendall(b"+")
                return body.decode()
            try:
                self._recv()
            except socket.timeout:
                raise SmpError("no answer from QEMU's gdbstub")

    def send(self, body):
        csum = sum(body.encode()) & 0xFF
        self.sock.sendall(f"${body}#{csum:02x}".encode())

    def command(self, body):
        """Sends a packet and returns its reply, skipping console output ('O…') packets."""
        self.send(body)
        while True:
            r = self.packet()
            if not (r.startswith("O") and r != "OK"):
                return r

    def interrupt(self):
        self.sock.sendall(b"\x03")
        return self.wait_stop()

    def wait_stop(self, timeout=None):
        while True:
            r = self.packet(timeout)
            if r.startswith(("T", "S")):
                return r
            if r.startswith(("W", "X")):
                raise SmpError(f"the guest ended under the debugger: {r}")

    def breakpoint(self, addr, insert=True):
        r = self.command(f"{'Z' if insert else 'z'}0,{addr:x},2")
        if r != "OK":
            raise SmpError(f"gdbstub refused a breakpoint at {addr:#x}: {r!r}")

    def monitor(self, cmd):
        r = self.command("qRcmd," + cmd.encode().hex())
        if r != "OK":
            raise SmpError(f"gdbstub monitor {cmd!r} answered {r!r}")

    def close(self):
        self.sock.close()


def symbols(elf, names):
    nm = os.environ.get("ARM_NM", "arm-none-eabi-nm")
    out = subprocess.run([nm, elf], check=True, capture_output=True, text=True).stdout
    found = {}
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[2] in names:
            found[parts[2]] = int(parts[0], 16) & ~1  # Thumb bit off: a breakpoint takes the address
    missing = set(names) - set(found)
    if missing:
        raise SmpError(f"symbols {sorted(missing)} not in {elf}")
    return [found[n] for n in names]


def wait_boot(link, timeout=20.0):
    """The version of the test application the board started after a reset, read from the
    console; the verifier's own "…, serving SMP" line instead means nothing bootable: an error."""
    deadline = time.monotonic() + timeout
    while True:
        for v in (1, 2):
            needle = f"fwsign-demo-app v{v}".encode()
            if needle in link.text:
                link.text = link.text[link.text.index(needle) + len(needle):]
                return v
        if b"serving SMP" in link.text:
            line = link.text[max(0, link.text.rfind(b"fwsign-verifier:")):link.text.index(b"serving SMP")]
            raise SmpError(f"no image booted after a power cut: {line!r}")
        if not link.read_some(deadline):
            raise SmpError(f"nothing booted within {timeout} s; console {link.text[-200:]!r}")


def mark_with_cut(gdb, cli, bps, k):
    """Sends mark bootable with breakpoints on the flash operations and resets the board at the
    k-th stop. Returns None after a cut, or mark bootable's response if it did fewer than k."""
    gdb.interrupt()
    for a in bps:
        gdb.breakpoint(a)
    gdb.send("c")
    seq = cli.send("WRITE", "FWSIGN", "MARK_BOOTABLE", {})
    hits, deadline = 0, time.monotonic() + 30.0
    while time.monotonic() < deadline:
        try:
            gdb.wait_stop(timeout=0.3)
        except SmpError:  # running: mark bootable may have answered
            try:
                r = cli.receive(seq, 0.2)
            except SmpError:
                continue
            gdb.interrupt()
            for a in bps:
                gdb.breakpoint(a, insert=False)
            gdb.send("c")
            return r
        hits += 1
        if hits == k:
            for a in bps:
                gdb.breakpoint(a, insert=False)
            gdb.monitor("system_reset")
            gdb.send("c")
            return None
        # As gdb does: step off the breakpoint with it removed, then put it back and go on.
        for a in bps:
            gdb.breakpoint(a, insert=False)
        gdb.send("s")
        gdb.wait_stop()
        for a in bps:
            gdb.breakpoint(a)
        gdb.send("c")
    raise SmpError("mark bootable neither finished nor reached the cut within 30 s")


def run_power_cut(board, cli, gdb_path, elf, stage, step, active):
    """stage(version) uploads, signs and verifies that version in the staging slot; `active` is
    the version running now. Cuts before flash operation 1, 2, ... of mark bootable (each time
    installing the version not running) until one completes uncut. Returns (cuts, boots of the
    new image, boots of the old)."""
    bps = symbols(elf, ["port_flash_erase", "port_flash_write"])
    gdb = Gdb(gdb_path)
    gdb.command("?")  # the reason for the halt QEMU makes when a debugger connects
    gdb.send("c")
    new_boots = old_boots = 0
    try:
        for k in range(1, 65):
            cli.call("WRITE", "OS", "RESET", {"boot_mode": 1}, timeout=10.0)
            board.link.wait_text("staying on request, serving SMP", 20.0)
            new = 2 if active == 1 else 1
            stage(new)
            r = mark_with_cut(gdb, cli, bps, k)
            if r is not None:
                if r.get("fwv") != 0:
                    raise SmpError(f"mark bootable without a cut failed: {r}")
                return k - 1, new_boots, old_boots
            v = wait_boot(board.link)
            if v not in (active, new):
                raise SmpError(f"after a cut at operation {k} v{v} booted, expected v{active} or v{new}")
            step(f"  cut before flash operation {k}: v{v} boots ({'new' if v == new else 'old'})")
            new_boots += v == new
            old_boots += v == active
            active = v
        raise SmpError("mark bootable did more than 64 flash operations")
    finally:
        gdb.close()
