#!/usr/bin/env python3
"""The QEMU check: boot the verifier on mps2-an386 or netduinoplus2 (STM32F405), upload a signed
test application over the UART, verify it, mark it bootable, reset and read its banner; then show
that a tampered image is refused and the previous application still boots, and that a good new
one replaces it.

  qemu_check.py --build build [--machine mps2-an386|netduinoplus2] [--transport socket|pty]
                [--slots default|flash] [--power-cut] [--keep DIR]

Ids, result codes and the trust-anchor layout come from packages/protocol/protocol.json, the
memory map from the machine's ld/*memmap.h; signatures are made with the openssl CLI (ECDSA
P-256, SHA-256, DER)."""
import argparse
import contextlib
import fcntl
import hashlib
import json
import os
import re
import socket
import struct
import subprocess
import sys
import tempfile
import termios
import time
import tty
import zlib

from power_cut import run_power_cut
from smp_client import Client, Link, SmpError, cbor_encode

HERE = os.path.dirname(os.path.abspath(__file__))
FWV = os.path.dirname(os.path.dirname(HERE))
PROTOCOL = os.path.join(FWV, "..", "packages", "protocol", "protocol.json")
CERTFILE = "code-sign.crt"
RSA_CERTFILE = "code-sign-rsa.crt"
# Per machine: the build directory of its verifier and test application, and its memory map.
# netduinoplus2 runs the SRAM-slot build: QEMU drops the guest's writes to the STM32 flash.
MACHINES = {
    "mps2-an386": {"dir": "mps2", "memmap": "memmap.h"},
    "netduinoplus2": {"dir": "stm32f4", "memmap": "memmap-stm32f4.h"},
}
# The STM32F4 build with its slots in flash (--slots flash): QEMU cannot run its scenarios, as its
# flash ignores writes, so it gets a smoke test there (boots, serves SMP, refuses to pretend).
FLASH_VARIANT = {"dir": "stm32f4-flash", "memmap": "memmap-stm32f4.h"}


def flash_branch(machine):
    """The #ifdef FWV_SLOTS_IN_FLASH block's numbers (memmap() keeps the last, SRAM, ones)."""
    text = open(os.path.join(FWV, "ld", MACHINES[machine]["memmap"])).read()
    block = text[text.index("#ifdef FWV_SLOTS_IN_FLASH"):text.index("#else", text.index("#ifdef FWV_SLOTS_IN_FLASH"))]
    return {m[0]: int(m[1], 0) for m in re.findall(r"#define (FWV_\w+) (0x[0-9A-Fa-f]+)", block)}


def variant(args):
    return FLASH_VARIANT if args.slots == "flash" else MACHINES[args.machine]


def memmap(machine):
    """The header's numbers; only unconditional ones (the anchors' address) are used here."""
    text = open(os.path.join(FWV, "ld", MACHINES[machine]["memmap"])).read()
    return {m[0]: int(m[1], 0) for m in re.findall(r"#define (FWV_\w+) (0x[0-9A-Fa-f]+)", text)}


def openssl(*args, **kw):
    return subprocess.run(["openssl", *args], check=True, capture_output=True, **kw).stdout


def anchor_table(proto, anchors):
    """Entries (key type name, certfile name, key bytes); layout from protocol.json."""
    ta = proto["trustAnchorTable"]
    ent = {f["name"]: f for f in ta["entry"]}
    entries = b""
    for type_name, name, key in anchors:
        entry = bytearray(ta["entrySize"])
        entry[ent["keyType"]["offset"]] = next(k["value"] for k in proto["keyTypes"] if k["name"] == type_name)
        entry[ent["nameLength"]["offset"]] = len(name)
        o = ent["name"]["offset"]
        entry[o:o + len(name)] = name.encode()
        o = ent["certSha256"]["offset"]
        entry[o:o + 32] = hashlib.sha256(key).digest()  # stands in: no certificate here
        o = ent["key"]["offset"]
        entry[o:o + len(key)] = key
        entries += bytes(entry)
    total = ta["headerSize"] + len(entries) + ta["crcSize"]
    body = struct.pack("<IHHII", ta["magic"], ta["version"], len(anchors), total, 0) + entries
    return body + struct.pack("<I", zlib.crc32(body))


class Board:
    def __init__(self, args, work, mm):
        self.args = args
        cmd = [args.qemu, "-M", args.machine, "-nographic", "-monitor", "none",
               "-kernel", os.path.join(args.build, variant(args)["dir"], "verifier.elf"),
               "-device", f"loader,file={os.path.join(work, 'anchors.bin')},addr={mm['FWV_ANCHORS_ADDR']:#x}"]
        if args.power_cut:  # the gdbstub, for cutting the power at a chosen flash operation
            self.gdb_path = os.path.join(work, "gdb.sock")
            cmd += ["-chardev", f"socket,id=gdb,path={self.gdb_path},server=on,wait=off", "-gdb", "chardev:gdb"]
        self.log = open(os.path.join(work, "console.log"), "wb")
        if args.transport == "socket":
            path = os.path.join(work, "uart.sock")
            cmd += ["-chardev", f"socket,id=uart,path={path},server=on,wait=on", "-serial", "chardev:uart"]
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                         stderr=subprocess.PIPE)
            deadline = time.monotonic() + 10
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            while True:
                try:
                    self.sock.connect(path)
                    break
                except OSError:
                    if time.monotonic() > deadline or self.proc.poll() is not None:
                        raise SmpError("QEMU did not open its socket: " + self.stderr())
                    time.sleep(0.05)
            fd = self.sock.fileno()
        else:
            cmd += ["-serial", "pty"]
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                         stderr=subprocess.STDOUT)
            fcntl.fcntl(self.proc.stdout, fcntl.F_SETFL, os.O_NONBLOCK)
            deadline, seen = time.monotonic() + 10, b""
            while b"/dev/pts/" not in seen or not re.search(rb"/dev/pts/\d+", seen):
                if time.monotonic() > deadline:
                    raise SmpError(f"QEMU did not report its pty: {seen!r}")
                try:
                    seen += self.proc.stdout.read() or b""
                except (BlockingIOError, TypeError):
                    pass
                time.sleep(0.05)
            pty = re.search(rb"/dev/pts/\d+", seen).group().decode()
            fd = os.open(pty, os.O_RDWR | os.O_NOCTTY)
            tty.setraw(fd)
            termios.tcflush(fd, termios.TCIOFLUSH)
        self.link = Link(fd, self.log)

    def stderr(self):
        try:
            return (self.proc.stderr.read() or b"").decode(errors="replace") if self.proc.stderr else ""
        except Exception:  # best effort, for a message
            return ""

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.log.close()


def step(msg):
    print(f"qemu-check: {msg}", flush=True)


@contextlib.contextmanager
def verifier(args, work, mm, proto):
    """Starts QEMU and yields (board, client) once the verifier answers echo; stops QEMU after."""
    board = Board(args, work, mm)
    try:
        cli = Client(board.link, proto)
        if args.transport == "socket":
            board.link.wait_text("serving SMP", 20.0)
        sync(cli)
        yield board, cli
    finally:
        board.close()


def sync(cli, attempts=20):
    """Echo until the board answers: a pty notices the host's open late and drops what came
    before; the socket never loses anything, so the first echo answers."""
    for _ in range(attempts):
        try:
            r = cli.call("WRITE", "OS", "ECHO", {"d": "sync"}, timeout=1.0)
            if r.get("r") == "sync":
                return
        except SmpError:
            pass
    raise SmpError("the board never answered echo")


def upload(cli, image, buf_size, window):
    """Windowed upload: up to `window` requests in flight, each as large as the device's buffer
    allows (SMP header + CBOR <= buf_size), resumed from the offset the device reports."""
    sha = hashlib.sha256(image).digest()
    off = 0
    while off < len(image):
        inflight = []
        o = off
        for _ in range(window):
            if o >= len(image):
                break
            req = {"image": 0, "off": o, "data": b""}
            if o == 0:
                req.update(len=len(image), sha=sha)
            room = buf_size - 8 - len(cbor_encode(req)) - 2  # bstr head grows by 2 past 255 B
            req["data"] = image[o:o + room]
            inflight.append(cli.send("WRITE", "IMAGE", "UPLOAD", req))
            o += room
        for seq in inflight:
            r = cli.receive(seq, 20.0)
            if r.get("rc", 0) != 0:
                return r
            off = r["off"]
    return r


def send_image(cli, image, sig, chunk, window, alg="sig-sha256-ecdsa", certfile=CERTFILE):
    """Uploads the whole image and then its signature; returns the SIGNATURE answer."""
    r = upload(cli, image, chunk, window)
    if r.get("rc", 0) != 0 or r.get("off") != len(image):
        raise SmpError(f"upload ended with {r}")
    return cli.call("WRITE", "FWSIGN", "SIGNATURE", {"alg": alg, "sig": sig, "certfile": certfile})


def install(cli, image, sig, proto, chunk, window, expect_ok=True,
            alg="sig-sha256-ecdsa", certfile=CERTFILE):
    codes = {c["value"]: c["name"] for c in proto["resultCodes"]}
    r = send_image(cli, image, sig, chunk, window, alg, certfile)
    if r.get("fwv") != 0:
        raise SmpError(f"signature refused: {r}")
    v = cli.call("WRITE", "FWSIGN", "VERIFY", {})
    step(f"  verify: fwv={v.get('fwv')} ({codes.get(v.get('fwv'))}) text={v.get('text')!r} rc={v.get('rc')}")
    m = cli.call("WRITE", "FWSIGN", "MARK_BOOTABLE", {})
    step(f"  mark bootable: fwv={m.get('fwv')} ({codes.get(m.get('fwv'))}) text={m.get('text')!r}")
    if expect_ok and (v.get("fwv") != 0 or m.get("fwv") != 0 or v.get("rc") != 0 or m.get("rc") != 0):
        raise SmpError("a good image was not verified and marked")
    if not expect_ok and (v.get("fwv") == 0 or m.get("fwv") == 0 or v.get("rc") == 0 or m.get("rc") == 0):
        raise SmpError("a tampered image was accepted")
    return v, m


def stage(cli, image, sig, chunk, window):
    """Upload, signature and verify, without marking: what the power-cut scenario installs."""
    r = send_image(cli, image, sig, chunk, window)
    v = cli.call("WRITE", "FWSIGN", "VERIFY", {})
    if r.get("fwv") != 0 or v.get("fwv") != 0:
        raise SmpError(f"a good image was not verified: {r} {v}")


def reset_and_expect(board, cli, banner, boot_mode=0):
    """Resets and waits for `banner`; for the verifier, the whole line: its UART drops what
    arrives before it says "serving SMP"."""
    payload = {"boot_mode": 1} if boot_mode else {}
    cli.call("WRITE", "OS", "RESET", payload, timeout=10.0)
    board.link.wait_text(banner, 20.0)


def flash_smoke(args, proto, mm, work):
    """The flash-slot build under QEMU: it boots, answers, reports its 256 KiB image capacity, and
    an upload fails with EUNKNOWN because the erased sector does not read back blank (QEMU's
    flash is ROM to the guest, its flash interface unimplemented)."""
    ta = proto["trustAnchorTable"]
    header = struct.pack("<IHHII", ta["magic"], ta["version"], 0, ta["headerSize"] + ta["crcSize"], 0)
    open(os.path.join(work, "anchors.bin"), "wb").write(header + struct.pack("<I", zlib.crc32(header)))
    img_errors = {e["name"]: e["value"] for e in proto["smp"]["imageErrors"]}
    with verifier(args, work, mm, proto) as (board, cli):
        status = cli.call("READ", "FWSIGN", "STATUS", {})
        want = mm["FWV_SLOT_SIZE"] - mm["FWV_SECTOR_SIZE"]
        if status["slot_size"] != want:
            raise SmpError(f"slot_size {status['slot_size']}, expected {want}")
        image = bytes(range(256)) * 4
        r = cli.call("WRITE", "IMAGE", "UPLOAD", {"image": 0, "off": 0, "len": len(image), "data": image[:512]})
        # SMP version 2 request: the image group's own code in err, as Zephyr answers it
        if r.get("err") != {"group": 1, "rc": img_errors["FLASH_WRITE_FAILED"]}:
            raise SmpError(f"an upload into QEMU's read-only flash answered {r}, expected err FLASH_WRITE_FAILED")
        step(f"flash-slot build: boots, slot_size={status['slot_size']}, upload into QEMU's ROM refused ({r['err']})")


def run(args):
    proto = json.load(open(PROTOCOL))
    mm = memmap(args.machine)
    if args.slots == "flash":
        mm.update(flash_branch(args.machine))
    images = os.path.join(args.build, variant(args)["dir"])
    with tempfile.TemporaryDirectory(prefix="fwv-qemu-") as work:
        if args.keep:
            work = args.keep
            os.makedirs(work, exist_ok=True)
        os.chmod(work, 0o700)
        if args.slots == "flash":
            if args.machine != "netduinoplus2":
                raise SmpError("--slots flash is the STM32F4 build: use it with --machine netduinoplus2")
            flash_smoke(args, proto, mm, work)
            step(f"passed ({args.machine}, slots in flash, {args.transport})")
            return
        key = os.path.join(work, "key.pem")
        old = os.umask(0o077)
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key)
        os.umask(old)
        point = openssl("pkey", "-in", key, "-pubout", "-outform", "DER")[-65:]
        rsa_key = os.path.join(work, "rsa.pem")
        old = os.umask(0o077)
        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", rsa_key)
        os.umask(old)
        modulus = bytes.fromhex(openssl("rsa", "-in", rsa_key, "-noout", "-modulus").decode().split("=")[1])
        rsa_pub = modulus + (65537).to_bytes(4, "big")
        open(os.path.join(work, "anchors.bin"), "wb").write(
            anchor_table(proto, [("EC_P256", CERTFILE, point), ("RSA_2048", RSA_CERTFILE, rsa_pub)]))
        apps, sigs = {}, {}
        for v in (1, 2):
            path = os.path.join(images, f"app-v{v}.bin")
            apps[v] = open(path, "rb").read()
            sigs[v] = openssl("dgst", "-sha256", "-sign", key, path)
        rsa_sig2 = openssl("dgst", "-sha1", "-sign", rsa_key, os.path.join(images, "app-v2.bin"))
        # the tampered image: v2 with one byte of its code changed, v2's signature
        tampered = bytearray(apps[2])
        tampered[len(tampered) // 2] ^= 0x01

        with verifier(args, work, mm, proto) as (board, cli):
            params = cli.call("READ", "OS", "MCUMGR_PARAMS", {})
            status = cli.call("READ", "FWSIGN", "STATUS", {})
            step(f"verifier up on {args.machine} over {args.transport}: buf_size={params['buf_size']} "
                 f"buf_count={params['buf_count']} slot_size={status['slot_size']}")
            if params["buf_count"] < 2:
                raise SmpError("the verifier advertises fewer than 2 receive buffers")
            chunk = params["buf_size"]
            t0 = time.monotonic()
            step(f"upload app v1 ({len(apps[1])} B), verify, mark bootable")
            install(cli, apps[1], sigs[1], proto, chunk, params["buf_count"])
            reset_and_expect(board, cli, "fwsign-demo-app v1")
            step("reset: banner 'fwsign-demo-app v1' read")
            sync(cli)
            step("the application answers echo")

            reset_and_expect(board, cli, "staying on request, serving SMP", boot_mode=1)
            step("back in the verifier (reset with boot_mode 1); upload tampered v2")
            install(cli, bytes(tampered), sigs[2], proto, chunk, params["buf_count"], expect_ok=False)
            reset_and_expect(board, cli, "fwsign-demo-app v1")
            step("tampered image refused; reset: 'fwsign-demo-app v1' still boots")

            reset_and_expect(board, cli, "staying on request, serving SMP", boot_mode=1)
            step("upload good v2, signed with RSA-2048 / SHA-1 (the CC3220SF platform's algorithm)")
            install(cli, apps[2], rsa_sig2, proto, chunk, params["buf_count"], alg="sig-sha1-rsa",
                    certfile=RSA_CERTFILE)
            reset_and_expect(board, cli, "fwsign-demo-app v2")
            step(f"reset: banner 'fwsign-demo-app v2' read ({time.monotonic() - t0:.1f} s)")
            reset_and_expect(board, cli, "staying on request, serving SMP", boot_mode=1)
            status = cli.call("READ", "FWSIGN", "STATUS", {})
            step(f"verifier stack peak after the boot-time RSA verify: {status['stack_peak']} B")
            if args.power_cut:
                t1 = time.monotonic()
                cuts, new, old = run_power_cut(
                    board, cli, board.gdb_path, os.path.join(images, "verifier.elf"),
                    lambda v: stage(cli, apps[v], sigs[v], chunk, params["buf_count"]), step, active=2)
                if cuts == 0:
                    raise SmpError("mark bootable did no flash operation to cut")
                step(f"power cut before each of the {cuts} flash operations of mark bootable: "
                     f"{new} times the new image booted, {old} times the old one, never neither "
                     f"({time.monotonic() - t1:.1f} s)")
    step(f"passed ({args.machine}, {args.transport})")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=os.path.join(FWV, "build"))
    ap.add_argument("--machine", choices=sorted(MACHINES), default="mps2-an386")
    ap.add_argument("--transport", choices=("socket", "pty"), default="socket")
    ap.add_argument("--qemu", default=os.environ.get("QEMU", "qemu-system-arm"))
    ap.add_argument("--slots", choices=("default", "flash"), default="default",
                    help="flash: smoke-test the STM32F4 build with its slots in flash (netduinoplus2)")
    ap.add_argument("--power-cut", action="store_true",
                    help="also cut the power before each flash operation of mark bootable (gdbstub)")
    ap.add_argument("--keep", help="keep keys, images and the console log in this directory")
    args = ap.parse_args()
    try:
        run(args)
    except (SmpError, subprocess.CalledProcessError, OSError, KeyError) as e:
        print(f"qemu-check: FAILED ({args.machine}, {args.transport}): {e}", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
