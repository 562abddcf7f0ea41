"""A minimal MTA side of the milter protocol (version 6), for timing kenind without an MTA
in the way: one connection, one message, every reply read as the filter's negotiated flags
require. Only what the benchmarks need: no macros, one recipient, the body in one chunk.

The wire format (libmilter's mfdef.h): every packet is a 4-byte big-endian length, a command
byte and its data; strings end in NUL. Steps the filter marked "no reply" (SMFIP_NR_*) get
no answer; steps it marked "not wanted" (SMFIP_NO*) are not sent.
"""
import socket
import struct

# Protocol flags (mfdef.h).
NOCONNECT, NOHELO, NOMAIL, NORCPT, NOBODY, NOHDRS, NOEOH = 0x1, 0x2, 0x4, 0x8, 0x10, 0x20, 0x40
NR_HDR, NODATA, SKIP = 0x80, 0x200, 0x400
NR_CONN, NR_HELO, NR_MAIL, NR_RCPT, NR_DATA, NR_EOH, NR_BODY = (
    0x1000, 0x2000, 0x4000, 0x8000, 0x10000, 0x40000, 0x80000)
HDR_LEADSPC = 0x100000
OFFERED_PROTOCOL = 0x1FFFFF      # every step, every no-reply flag, leading space
OFFERED_ACTIONS = 0x1FF          # add/change/insert headers, quarantine, replies ...

FINAL = {b"a": "accept", b"c": "continue", b"r": "reject", b"t": "tempfail",
         b"d": "discard", b"y": "reply"}


class MilterError(Exception):
    pass


class MilterConnection:
    def __init__(self, host, port, timeout=30.0):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._send(b"O", struct.pack(">III", 6, OFFERED_ACTIONS, OFFERED_PROTOCOL))
        command, data = self._read()
        if command != b"O" or len(data) < 12:
            raise MilterError(f"bad negotiation reply {command!r}")
        _, self.actions, self.flags = struct.unpack(">III", data[:12])

    def close(self):
        try:
            self._send(b"Q", b"")
        finally:
            self.sock.close()

    def message(self, client_ip, helo, mail_from, rcpt, headers, body):
        """Runs one transaction; returns (final answer, [(command, data) modifications])."""
        family_port = b"4" + struct.pack(">H", 25000)
        steps = [
            (b"C", b"client.test\0" + family_port + client_ip.encode() + b"\0", NOCONNECT, NR_CONN),
            (b"H", helo.encode() + b"\0", NOHELO, NR_HELO),
            (b"M", f"<{mail_from}>".encode() + b"\0", NOMAIL, NR_MAIL),
            (b"R", f"<{rcpt}>".encode() + b"\0", NORCPT, NR_RCPT),
            (b"T", b"", NODATA, NR_DATA),
        ]
        for command, data, not_wanted, no_reply in steps:
            if self._step(command, data, not_wanted, no_reply) is not None:
                return "early", []
        for name, value in headers:
            if not self.flags & HDR_LEADSPC and value.startswith(" "):
                value = value[1:]  # as MTAs do unless the filter asked for the space
            self._step(b"L", name.encode() + b"\0" + value.encode() + b"\0", NOHDRS, NR_HDR)
        self._step(b"N", b"", NOEOH, NR_EOH)
        if body:
            self._step(b"B", body, NOBODY, NR_BODY)
        self._send(b"E", b"")
        modifications = []
        while True:
            command, data = self._read()
            if command in FINAL:
                return FINAL[command], modifications
            if command != b"p":  # progress: the filter is still working
                modifications.append((command, data))

    def _step(self, command, data, not_wanted, no_reply):
        """Sends a step unless unwanted; returns a final answer that ended the message early."""
        if self.flags & not_wanted:
            return None
        self._send(command, data)
        if self.flags & no_reply:
            return None
        reply, _ = self._read()
        if reply in (b"c", b"s"):  # continue; skip (the rest of this step's kind)
            return None
        return FINAL.get(reply, "unexpected")

    def _send(self, command, data):
        self.sock.sendall(struct.pack(">I", len(data) + 1) + command + data)

    def _read(self):
        size = struct.unpack(">I", self._exactly(4))[0]
        packet = self._exactly(size)
        return packet[:1], packet[1:]

    def _exactly(self, count):
        chunks = []
        while count:
            chunk = self.sock.recv(count)
            if not chunk:
                raise MilterError("filter closed the connection")
            chunks.append(chunk)
            count -= len(chunk)
        return b"".join(chunks)


def header_fields(message_bytes):
    """Splits an RFC 5322 message into ([(name, value)], body) the way an MTA hands it over:
    values everything after the colon (leading space included), folding kept as CRLF +
    whitespace, the body in CRLF."""
    head, _, body = message_bytes.partition(b"\r\n\r\n")
    fields = []
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t") and fields:
            name, value = fields[-1]
            fields[-1] = (name, value + "\r\n" + line.decode("utf-8", "replace"))
        else:
            name, _, value = line.decode("utf-8", "replace").partition(":")
            fields.append((name, value))
    return fields, body


def added_headers(modifications):
    """The (name, value) of every header the filter added or inserted."""
    out = []
    for command, data in modifications:
        if command == b"h":
            name, value = data.split(b"\0")[:2]
        elif command == b"i":
            name, value = data[4:].split(b"\0")[:2]
        else:
            continue
        out.append((name.decode(), value.decode()))
    return out
