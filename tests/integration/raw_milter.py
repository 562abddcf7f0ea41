"""What the kenind fault-injection tests (huge_inputs.py, time_budget.py) share: the real kenind
driven over the milter protocol by a raw client, without an MTA in the way, so a test can send
what no MTA would pass on (a 2 MB header field, 100 signatures) and time each answer.

The wire work is bench/milter_client.py's (milter v6, no-reply flags honoured); this adds a
transaction whose header fields are bytes and whose body is an iterable of chunks, so a 50 MB
body streams in 64 KB pieces as Postfix sends it and is never whole in this process either.
"""
import os
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "bench"))
sys.path.insert(0, os.path.join(HERE, "milter"))
sys.path.insert(0, HERE)
import milter_client  # noqa: E402
import procstat  # noqa: E402
from milter_client import (FINAL, NOBODY, NOEOH, NOHDRS, NR_BODY, NR_EOH, NR_HDR,  # noqa: E402
                           MilterError)

CHUNK = 65535  # Postfix's MILTER_CHUNK_SIZE: the largest body packet it sends


class Client(milter_client.MilterConnection):
    def transaction(self, client_ip, helo, mail_from, fields, chunks):
        """One message: `fields` [(name, value bytes)], `chunks` an iterable of body bytes.
        Returns (final answer, {added header name: value}, seconds from end-of-message to the
        answer)."""
        family_port = b"4" + (25000).to_bytes(2, "big")
        envelope = [
            (b"C", b"client.test\0" + family_port + client_ip.encode() + b"\0",
             milter_client.NOCONNECT, milter_client.NR_CONN),
            (b"H", helo.encode() + b"\0", milter_client.NOHELO, milter_client.NR_HELO),
            (b"M", f"<{mail_from}>".encode() + b"\0", milter_client.NOMAIL, milter_client.NR_MAIL),
        ]
        for command, data, not_wanted, no_reply in envelope:
            if self._step(command, data, not_wanted, no_reply) is not None:
                return "early", {}, 0.0
        for name, value in fields:
            self._step(b"L", name + b"\0" + value + b"\0", NOHDRS, NR_HDR)
        self._step(b"N", b"", NOEOH, NR_EOH)
        for chunk in chunks:
            self._step(b"B", chunk, NOBODY, NR_BODY)
        start = time.monotonic()
        self._send(b"E", b"")
        added = {}
        while True:
            command, data = self._read()
            if command in FINAL:
                return FINAL[command], added, time.monotonic() - start
            if command == b"i":  # insert header: index, name, value
                name, value = data[4:].split(b"\0")[:2]
                added[name.decode()] = value.decode()


def split_message(message):
    """A CRLF message file as ([(name, value)], body), values as after the colon (leading
    space and folding kept), as an MTA that agreed SMFIP_HDR_LEADSPC hands them over."""
    head, _, body = message.partition(b"\r\n\r\n")
    fields = []
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1] = (fields[-1][0], fields[-1][1] + b"\r\n" + line)
        else:
            name, _, value = line.partition(b":")
            fields.append((name, value))
    return fields, body


def chunks_of(data, size=CHUNK):
    for start in range(0, len(data), size):
        yield data[start:start + size]


def memory_kb(pid):
    """(VmRSS, VmHWM) of a process in KiB, from /proc/PID/status."""
    values = procstat.status_values(pid)
    return values["VmRSS"], values["VmHWM"]


def resinfo(auth_results):
    """The items of an Authentication-Results value after the authserv-id, unfolded."""
    items = [item.strip() for item in auth_results.replace("\n\t", " ").split(";")]
    return items[1:]


__all__ = ["Client", "MilterError", "split_message", "chunks_of", "memory_kb", "resinfo",
           "CHUNK"]
