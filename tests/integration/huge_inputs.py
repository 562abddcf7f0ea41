#!/usr/bin/env python3
"""Huge inputs to the real kenind (issue 8, docs/security.md "Resource exhaustion"), driven over
the milter protocol by a raw client (raw_milter.py), kenind on its default limits answering
DNS from a zone file (--zone). Each case must end with its designed answer in bounded time,
leave kenind's memory bounded, and be followed by a normal message that still gets dkim=pass:

  10,000 header fields   under [limits] max_header_bytes (256 KiB): verified as usual, pass
  a 1 MB header field    over it: dkim=permerror "header block over 262144 bytes", SPF and
                         DMARC still decided (pass, by SPF alignment)
  a 2 MB header field    over libmilter's packet limit (1 MiB): libmilter drops the connection
                         (an MTA applies milter_default_action); kenind keeps serving
  h= with 1,000 names    over [dkim] max_signed_headers (128): "h= lists 1000 names, over 128"
  100 signatures         8 verified ([dkim] max_signatures), 56 "too many signatures", one
                         verdict for the 36 past the 64 listed
  a 50 MB body           streamed in 64 KB chunks: dkim=pass, and kenind's peak RSS grows by
                         far less than the body (it is hashed, never kept)

Memory: VmRSS and VmHWM (peak) of kenind from /proc/PID/status after a first normal message,
then after each case. Prints one PASS/FAIL line per check with the measured value, and
"N passed, M failed"; exits 1 on a failure.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "milter"))
from milterenv import AUTHSERV_ID, Kenind, Tally, free_port, make_data  # noqa: E402
from raw_milter import Client, MilterError, chunks_of, memory_kb, resinfo, split_message  # noqa: E402

CLIENT_IP, HELO, MAIL_FROM = "192.0.2.25", "mail.example.org", "alice@example.org"
SIGNED = "from:to:subject:date:message-id"
HEADERS = ("From: Alice <alice@example.org>\r\nTo: bob@example.net\r\nSubject: {subject}\r\n"
           "Date: Mon, 1 Jan 2024 00:00:00 +0000\r\nMessage-ID: <{subject}@example.org>\r\n")
CASE_SECONDS = 10        # generous: each case takes well under a second on a quiet machine
BODY_CASE_SECONDS = 30   # the 50 MB case: sending and hashing 50 MB
PEAK_GROWTH_MB = 40      # a kept 50 MB body could not fit under this
FINAL_GROWTH_MB = 64     # kenind's RSS after every case, over its RSS after the first message


class Run:
    def __init__(self, args, data, tally):
        self.args, self.data, self.tally = args, data, tally
        self.key = os.path.join(data, "key.pem")
        self.port = free_port()
        self.kenind = Kenind(args.kenind, ["--socket", f"inet:{self.port}@127.0.0.1",
                                           "--zone", os.path.join(data, "test.zone"),
                                           "--authserv-id", AUTHSERV_ID])

    def sign(self, message, headers=SIGNED):
        return subprocess.run([self.args.kenin, "sign", "-k", self.key, "-d", "example.org",
                               "-s", "sel", "-c", "relaxed/relaxed", "--headers", headers, "-"],
                              input=message, capture_output=True, check=True).stdout

    def send(self, fields, chunks):
        """(answer, Authentication-Results items, seconds at end-of-message, total seconds)."""
        start = time.monotonic()
        client = Client("127.0.0.1", self.port, timeout=120)
        try:
            answer, added, eom = client.transaction(CLIENT_IP, HELO, MAIL_FROM, fields, chunks)
        finally:
            client.sock.close()
        items = resinfo(added.get("Authentication-Results", ""))
        return answer, items, eom, time.monotonic() - start

    def normal_message_passes(self, after):
        fields, body = split_message(self.sign(HEADERS.format(subject="normal").encode()
                                               + b"\r\nHello.\r\n"))
        answer, items, _, _ = self.send(fields, [body])
        self.tally.check(answer == "accept" and len(items) == 3
                         and items[0].startswith("dkim=pass header.d=example.org"),
                         f"{after}: the next normal message gets dkim=pass",
                         f"answer {answer}, {items}")

    def case(self, name, fields, chunks, expect, seconds=CASE_SECONDS):
        """Sends one message; `expect(items)` returns None when the answer is the designed
        one, else what is wrong."""
        try:
            answer, items, eom, total = self.send(fields, chunks)
        except (MilterError, OSError) as error:  # kenind (or libmilter) closed the connection
            answer, items, eom, total = f"none ({error!r})", [], 0.0, 0.0
        problem = expect(items) if answer == "accept" else f"answer {answer}"
        self.tally.check(problem is None, f"{name}: designed answer", f"{problem}; {items[:4]}",
                         note="; ".join(items[:2])[:160])
        self.tally.check(total < seconds, f"{name}: answered in bounded time",
                         f"{total:.1f} s >= {seconds} s",
                         note=f"{total:.2f} s in all, {eom * 1000:.0f} ms at end-of-message")
        self.normal_message_passes(name)


def spf_and_dmarc_pass(items):
    if not any(item.startswith("spf=pass") for item in items):
        return "no spf=pass"
    if not any(item.startswith("dmarc=pass") for item in items):
        return "no dmarc=pass"
    return None


def first_is(prefix):
    def expect(items):
        if not items or not items[0].startswith(prefix):
            return f"first item is not {prefix!r}"
        return spf_and_dmarc_pass(items)
    return expect


def many_fields(run):
    message = run.sign(HEADERS.format(subject="fields").encode() + b"\r\nBody.\r\n")
    fields, body = split_message(message)
    # ~11 octets each on the wire ("X-F: 1234" CRLF): 10,000 fit in 256 KiB with room to spare.
    fields += [(b"X-F", b" %d" % i) for i in range(10_000)]
    run.case("10,000 header fields", fields, [body], first_is("dkim=pass"))


def huge_field(run):
    fields, body = split_message(run.sign(HEADERS.format(subject="huge").encode() + b"\r\nB.\r\n"))
    fields.append((b"X-Huge", b" " + b"h" * 1_000_000))
    run.case("a 1 MB header field", fields, [body],
             first_is('dkim=permerror reason="header block over 262144 bytes"'))


def field_over_packet_limit(run):
    fields, body = split_message(run.sign(HEADERS.format(subject="over").encode() + b"\r\nB.\r\n"))
    fields.append((b"X-Huger", b" " + b"h" * 2_000_000))
    start = time.monotonic()
    try:
        outcome = run.send(fields, [body])[0]
    except (MilterError, OSError) as error:
        outcome = f"connection closed ({type(error).__name__})"
    elapsed = time.monotonic() - start
    run.tally.check(outcome.startswith("connection closed") and elapsed < CASE_SECONDS,
                    "a 2 MB header field: libmilter closes the connection at once",
                    f"{outcome} after {elapsed:.1f} s", note=f"{outcome}, {elapsed:.2f} s")
    run.normal_message_passes("a 2 MB header field")


def long_header_list(run):
    names = SIGNED + "".join(f":x-absent-{i}" for i in range(995))  # 1,000 names in h=
    fields, body = split_message(run.sign(HEADERS.format(subject="hlist").encode() + b"\r\nB.\r\n",
                                          headers=names))
    run.case("h= with 1,000 names", fields, [body],
             first_is('dkim=permerror reason="h= lists 1000 names, over 128"'))


def hundred_signatures(run):
    fields, body = split_message(run.sign(HEADERS.format(subject="sigs").encode() + b"\r\nB.\r\n"))
    signature = fields[0]
    fields = [signature] * 100 + fields[1:]

    def expect(items):
        dkim = [item for item in items if item.startswith("dkim=")]
        if len(dkim) != 65:
            return f"{len(dkim)} dkim items, not 65"
        if not all(item.startswith("dkim=pass") for item in dkim[:8]):
            return "the first 8 do not all pass"
        if not all('reason="too many signatures"' in item for item in dkim[8:64]):
            return "items 9..64 are not all 'too many signatures'"
        if not dkim[64].startswith('dkim=permerror reason="36 more signatures not listed"'):
            return f"last item {dkim[64]!r}"
        return spf_and_dmarc_pass(items)
    run.case("100 signatures", fields, [body], expect)


def huge_body(run, rss_before):
    line = b"The quick brown fox jumps over the lazy dog, 0123456789 times.  \r\n"
    body = line * (50 * 1024 * 1024 // len(line) + 1)
    message = HEADERS.format(subject="body").encode() + b"\r\n" + body
    del body
    fields, body = split_message(run.sign(message))
    del message
    run.case(f"a {len(body) / 1e6:.0f} MB body in 64 KB chunks", fields, chunks_of(body),
             first_is("dkim=pass"), seconds=BODY_CASE_SECONDS)
    if rss_before is None:  # --skip-rss
        return
    rss, peak = memory_kb(run.kenind.process.pid)
    growth = (peak - rss_before) / 1024
    run.tally.check(growth < PEAK_GROWTH_MB, "a 50 MB body: kenind's peak RSS stays bounded",
                    f"peak grew {growth:.1f} MB (limit {PEAK_GROWTH_MB})",
                    note=f"RSS {rss_before / 1024:.1f} MB before, peak {peak / 1024:.1f} MB")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kenind", required=True)
    parser.add_argument("--kenin", required=True)
    parser.add_argument("--skip-rss", action="store_true",
                        help="no memory checks (sanitizer builds: ASan's quarantine keeps freed "
                             "memory by design, so RSS says nothing about kenind's)")
    args = parser.parse_args()
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="kenin-huge-") as data:
        make_data(args.kenin, data)
        run = Run(args, data, tally)
        try:
            if not tally.check(run.kenind.wait_for("listening on"), "kenind starts",
                               run.kenind.log()):
                return tally.finish()
            run.normal_message_passes("start")
            rss_start, _ = memory_kb(run.kenind.process.pid)
            huge_body(run, None if args.skip_rss else rss_start)  # first: peak from the start
            for case in (many_fields, huge_field, field_over_packet_limit, long_header_list,
                         hundred_signatures):
                case(run)
            rss_end, peak = memory_kb(run.kenind.process.pid)
            growth = (rss_end - rss_start) / 1024
            if not args.skip_rss:
                tally.check(growth < FINAL_GROWTH_MB, "kenind's RSS after every case stays bounded",
                            f"grew {growth:.1f} MB (limit {FINAL_GROWTH_MB})",
                            note=f"{rss_start / 1024:.1f} MB -> {rss_end / 1024:.1f} MB, "
                                 f"peak {peak / 1024:.1f} MB")
            tally.check(run.kenind.process.poll() is None, "kenind still running",
                        run.kenind.log())
        finally:
            code = run.kenind.stop()
            tally.check(code == 0, "kenind exits 0 on SIGTERM", f"exit {code}")
            errors = [line for line in run.kenind.lines if "internal error" in line]
            tally.check(not errors, "no internal error logged", "\n".join(errors[:5]))
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
