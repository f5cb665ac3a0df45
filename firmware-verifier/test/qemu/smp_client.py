"""A small SMP client over the console framing, written independently of the C code: CBOR,
CRC16/XMODEM, base64 lines (<= 127 bytes, 06 09 / 04 14 markers) and request/response matching
by sequence number. Used by the QEMU check until the flasher package takes its place."""
import base64
import os
import select
import struct
import time


def crc16_xmodem(data, crc=0):
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def cbor_encode(v):
    def head(major, n):
        if n < 24:
            return bytes([major << 5 | n])
        for ai, fmt in ((24, ">B"), (25, ">H"), (26, ">I"), (27, ">Q")):
            if n < 1 << (8 * struct.calcsize(fmt)):
                return bytes([major << 5 | ai]) + struct.pack(fmt, n)
        raise ValueError("integer too large")
    if v is True:
        return b"\xf5"
    if v is False:
        return b"\xf4"
    if isinstance(v, int):
        return head(0, v) if v >= 0 else head(1, -1 - v)
    if isinstance(v, (bytes, bytearray)):
        return head(2, len(v)) + bytes(v)
    if isinstance(v, str):
        b = v.encode()
        return head(3, len(b)) + b
    if isinstance(v, list):
        return head(4, len(v)) + b"".join(cbor_encode(x) for x in v)
    if isinstance(v, dict):
        return head(5, len(v)) + b"".join(cbor_encode(k) + cbor_encode(x) for k, x in v.items())
    raise TypeError(f"cannot encode {type(v).__name__}")


def cbor_decode(data):
    def item(i):
        ib = data[i]
        major, ai = ib >> 5, ib & 31
        i += 1
        if ai < 24:
            n = ai
        elif ai <= 27:
            size = 1 << (ai - 24)
            n = int.from_bytes(data[i:i + size], "big")
            i += size
        else:
            raise ValueError("indefinite lengths are not used by SMP")
        if major == 0:
            return n, i
        if major == 1:
            return -1 - n, i
        if major in (2, 3):
            b = data[i:i + n]
            if len(b) != n:
                raise ValueError("truncated string")
            return (bytes(b) if major == 2 else b.decode()), i + n
        if major == 4:
            out = []
            for _ in range(n):
                x, i = item(i)
                out.append(x)
            return out, i
        if major == 5:
            out = {}
            for _ in range(n):
                k, i = item(i)
                out[k], i = item(i)
            return out, i
        if major == 7 and n in (20, 21):
            return n == 21, i
        raise ValueError(f"unsupported CBOR item 0x{ib:02x}")
    v, end = item(0)
    if end != len(data):
        raise ValueError("trailing bytes after CBOR item")
    return v


def frame(smp):
    pkt = struct.pack(">H", len(smp) + 2) + smp + struct.pack(">H", crc16_xmodem(smp))
    b64 = base64.b64encode(pkt)
    out = b""
    for i in range(0, len(b64), 124):  # 127 - marker - newline, a multiple of 4
        out += (b"\x06\x09" if i == 0 else b"\x04\x14") + b64[i:i + 124] + b"\n"
    return out


class SmpError(Exception):
    pass


class Link:
    """Bytes to and from the board: a connected socket or a pty file descriptor."""

    def __init__(self, fd, log=None):
        self.fd = fd
        self.buf = b""
        self.text = b""  # everything seen, for banners and diagnostics
        self.log = log

    def write(self, data):
        view = memoryview(data)
        while view:
            n = os.write(self.fd, view)
            view = view[n:]

    def read_some(self, deadline):
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        r, _, _ = select.select([self.fd], [], [], left)
        if not r:
            return False
        try:
            data = os.read(self.fd, 4096)
        except OSError:
            return False
        if self.log:
            self.log.write(data)
            self.log.flush()
        self.buf += data
        self.text += data
        return True

    def wait_text(self, needle, timeout):
        deadline = time.monotonic() + timeout
        start = 0
        while needle.encode() not in self.text[start:]:
            if not self.read_some(deadline):
                raise SmpError(f"expected {needle!r} on the console within {timeout} s; "
                               f"got {self.text[-300:]!r}")
        self.text = self.text[self.text.index(needle.encode()) + len(needle):]

    def next_packet(self, deadline):
        """The next well-formed SMP packet, or None at the deadline. Console text is skipped."""
        pkt = None
        while True:
            nl = self.buf.find(b"\n")
            if nl < 0:
                if not self.read_some(deadline):
                    return None
                continue
            line, self.buf = self.buf[:nl], self.buf[nl + 1:]
            line = line.rstrip(b"\r")
            if line.startswith(b"\x06\x09"):
                pkt = base64.b64decode(line[2:])
            elif line.startswith(b"\x04\x14") and pkt is not None:
                pkt += base64.b64decode(line[2:])
            else:
                continue
            if len(pkt) >= 2 and len(pkt) - 2 >= struct.unpack(">H", pkt[:2])[0]:
                body = pkt[2:]
                if crc16_xmodem(body) == 0:
                    return body[:-2]
                pkt = None


class Client:
    def __init__(self, link, protocol):
        self.link = link
        self.seq = 0
        self.groups = {g["name"]: g for g in protocol["smp"]["groups"]}
        self.ops = {o["name"]: o["value"] for o in protocol["smp"]["ops"]}

    def ids(self, group, command):
        g = self.groups[group]
        return g["value"], next(c["value"] for c in g["commands"] if c["name"] == command)

    def send(self, op, group, command, payload):
        gid, cid = self.ids(group, command)
        self.seq = (self.seq + 1) & 0xFF
        body = cbor_encode(payload)
        hdr = bytes([(1 << 3) | self.ops[op], 0]) + struct.pack(">HHBB", len(body), gid, self.seq, cid)
        self.link.write(frame(hdr + body))
        return self.seq

    def receive(self, seq, timeout):
        deadline = time.monotonic() + timeout
        while True:
            smp = self.link.next_packet(deadline)
            if smp is None:
                raise SmpError(f"no response to sequence {seq} within {timeout} s")
            if len(smp) >= 8 and smp[6] == seq:
                length = struct.unpack(">H", smp[2:4])[0]
                if length != len(smp) - 8:
                    raise SmpError(f"response length {length} disagrees with packet {len(smp) - 8}")
                return cbor_decode(smp[8:])

    def call(self, op, group, command, payload, timeout=20.0):
        return self.receive(self.send(op, group, command, payload), timeout)
