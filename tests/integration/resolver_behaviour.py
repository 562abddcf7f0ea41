#!/usr/bin/env python3
"""kenin's network resolver against a real DNS server (ldns-testns) on loopback.

Keys come from `kenin keygen`, messages from `kenin sign`; each case publishes the key (or a
failure) under its own domain and checks `kenin verify --format json` and `kenin keycheck
--format json`: TXT records split into many strings, CNAME chains (whole, and one link per
reply), TCP fallback on a truncated UDP reply (seen in the server's log), NXDOMAIN, NODATA,
SERVFAIL, REFUSED, a server that never answers (wall time measured against
--dns-timeout-ms x --dns-attempts), and replies with the wrong id (ignored).

Usage: resolver_behaviour.py --kenin PATH [--ldns-testns PATH] [--keep]
"""
import os
import socket
import sys
import threading
import time


sys.dont_write_bytecode = True  # no __pycache__ in the source tree

from dnstest import (DMARC_NAMES, Kenin, TestNs, base_entries, dkim_results, entry, query_name, run_script,
                     soa, txt_reply, txt_strings, write_message)

TIMEOUT_FLAGS = ["--dns-timeout-ms", "500", "--dns-attempts", "2"]
# timeout x attempts = 1.0 s; the process also starts, reads a message and exits.
MIN_WALL, MAX_WALL = 0.9, 1.5


def key_name(domain, selector="sel"):
    return f"{selector}._domainkey.{domain}."


class UdpServer:
    """A UDP socket on loopback served by a thread: `respond(query)` returns the datagrams to
    send back (none: a dead or filtered nameserver)."""

    def __init__(self, respond):
        self.respond = respond
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.05)
        self.server = f"127.0.0.1:{self.sock.getsockname()[1]}"
        self.received = []  # question names, in arrival order
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self):
        while self.running:
            try:
                query, peer = self.sock.recvfrom(65535)
            except socket.timeout:
                continue
            except OSError:
                return
            self.received.append(query_name(query))
            for datagram in self.respond(query):
                self.sock.sendto(datagram, peer)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.running = False
        self.thread.join()
        self.sock.close()
        return False


class Cases:
    def __init__(self, args, workdir, tally):
        self.args = args
        self.workdir = workdir
        self.kenin = Kenin(args.kenin, workdir)
        self.tally = tally
        self.ns = None

    # ---- setup -------------------------------------------------------------------------------

    def make_keys(self):
        self.pem, self.value, _ = self.kenin.keygen("sel", "keygen.kenin.test", "rsa", 4096)
        self.ed_pem, self.ed_value, _ = self.kenin.keygen("sel", "keygen.kenin.test", "ed25519")

    def signed(self, domain, key=None, algorithm="rsa-sha256"):
        raw = write_message(os.path.join(self.workdir, f"{domain}.raw.eml"), domain, f"case {domain}",
                            f"body for {domain}")
        return self.kenin.sign(key or self.pem, domain, "sel", raw, os.path.join(self.workdir, f"{domain}.eml"),
                               algorithm)

    def txt(self, name, value=None, size=255):
        return f"{name} 3600 IN TXT {txt_strings(value or self.value, size)}"

    def datafile(self):
        e = [base_entries()]
        # kenin keygen's 255-octet strings, and far smaller pieces of the same value.
        for size in (255, 16, 1):
            d = key_name(f"split{size}.kenin.test")
            e.append(entry(d, answer=[self.txt(d, size=size)]))
        d = key_name("split-ed.kenin.test")
        e.append(entry(d, answer=[self.txt(d, self.ed_value, size=7)]))
        # A two-link CNAME chain, the whole chain in one answer.
        q, l1, l2 = key_name("cname-whole.kenin.test"), "link1.whole.alias.test.", "key.whole.keys.test."
        e.append(entry(q, answer=[f"{q} 3600 IN CNAME {l1}", f"{l1} 3600 IN CNAME {l2}", self.txt(l2)]))
        # The same chain, each reply giving only the next link: kenin must ask for each target.
        q, l1, l2 = key_name("cname-part.kenin.test"), "link1.part.alias.test.", "key.part.keys.test."
        e.append(entry(q, answer=[f"{q} 3600 IN CNAME {l1}"]))
        e.append(entry(l1, answer=[f"{l1} 3600 IN CNAME {l2}"]))
        e.append(entry(l2, answer=[self.txt(l2)]))
        # The first link only; the target's reply carries the rest of the chain.
        q, l1, l2 = key_name("cname-mix.kenin.test"), "link1.mix.alias.test.", "key.mix.keys.test."
        e.append(entry(q, answer=[f"{q} 3600 IN CNAME {l1}"]))
        e.append(entry(l1, answer=[f"{l1} 3600 IN CNAME {l2}", self.txt(l2)]))
        # Truncated over UDP (TC, no answer); the full answer only over TCP.
        q = key_name("truncated.kenin.test")
        e.append(entry(q, transport="UDP", flags="QR AA TC"))
        e.append(entry(q, transport="TCP", answer=[self.txt(q)]))
        e.append(entry(key_name("nxdomain.kenin.test"), rcode="NXDOMAIN", authority=[soa("kenin.test.")]))
        e.append(entry(key_name("nodata.kenin.test"), authority=[soa("kenin.test.")]))
        e.append(entry(key_name("servfail.kenin.test"), rcode="SERVFAIL", flags="QR"))
        e.append(entry(key_name("refused.kenin.test"), rcode="REFUSED", flags="QR"))
        # The key, well formed, but with id 0 instead of the query's (no ADJUST copy_id).
        q = key_name("wrong-id.kenin.test")
        e.append(entry(q, answer=[self.txt(q)], copy_id=False))
        # sel._domainkey.silent.kenin.test has no entry: ldns-testns never answers it.
        path = os.path.join(self.workdir, "resolver.data")
        with open(path, "w") as f:
            f.write("".join(e))
        return path

    # ---- helpers -----------------------------------------------------------------------------

    def asked_during(self, action):
        """Runs action(); returns its value and the queries the server logged meanwhile."""
        before = len(self.ns.queries())
        value = action()
        return value, self.ns.queries()[before:]

    def expect_verdict(self, case, message, result, reason_part="", extra=(), server=None):
        rc, reports, err, secs = self.kenin.verify_json(server or self.ns.server, [message], *extra)
        got = dkim_results(reports[0]) if len(reports) == 1 else reports
        ok = rc == 0 and len(reports) == 1 and len(got) == 1 and got[0][0] == result and \
            reason_part.lower() in got[0][1].lower()
        self.tally.check(ok, case, f"rc={rc} verdict={got} {err.strip()}",
                         note=ok and f"{got[0][0]}" + (f": {got[0][1]}" if got[0][1] else ""))
        return secs

    def expect_keycheck(self, case, domain, usable, error_part="", bits=None, record=None):
        rc, report, out, err, _ = self.kenin.keycheck_json(self.ns.server, "sel", domain)
        ok = report is not None and rc == (0 if usable else 1) and report["usable"] == usable and \
            error_part.lower() in report["error"].lower() and (usable or report["error"])
        if ok and bits is not None:
            ok = len(report["records"]) == 1 and report["records"][0]["bits"] == bits
        if ok and record is not None:
            ok = report["records"][0]["record"] == record
        self.tally.check(ok, case, f"rc={rc} {out.strip()} {err.strip()}",
                         note=ok and (report["error"] or f"usable, {bits} bits"))

    # ---- cases -------------------------------------------------------------------------------

    def split_strings(self):
        for size in (255, 16, 1):
            d = f"split{size}.kenin.test"
            n = -(-len(self.value) // size)
            self.expect_verdict(f"RSA-4096 key in {n} strings of {size} octet(s): verify", self.signed(d), "pass")
            self.expect_keycheck(f"RSA-4096 key in {n} strings: keycheck joins them", d, True, bits=4096,
                                 record=self.value)
        self.expect_verdict("ed25519 key in 7-octet strings: verify",
                            self.signed("split-ed.kenin.test", self.ed_pem, "ed25519-sha256"), "pass")

    def cname_chains(self):
        message = self.signed("cname-whole.kenin.test")
        _, asked = self.asked_during(lambda: self.expect_verdict("CNAME chain of two links in one answer: verify",
                                                                 message, "pass"))
        names = [q[2] for q in asked]
        self.tally.check(names == ["sel._domainkey.cname-whole.kenin.test."],
                         "CNAME chain in one answer: one query, the targets not asked", f"queries {names}")

        message = self.signed("cname-part.kenin.test")
        _, asked = self.asked_during(lambda: self.expect_verdict("CNAME chain, one link per reply: verify",
                                                                 message, "pass"))
        names = [q[2] for q in asked]
        self.tally.check(names == ["sel._domainkey.cname-part.kenin.test.", "link1.part.alias.test.",
                                   "key.part.keys.test."],
                         "CNAME chain, one link per reply: kenin asks each target in turn", f"queries {names}")
        self.expect_keycheck("CNAME chain, one link per reply: keycheck", "cname-part.kenin.test", True, bits=4096)

        message = self.signed("cname-mix.kenin.test")
        _, asked = self.asked_during(lambda: self.expect_verdict(
            "CNAME first link only, the target's reply has the rest: verify", message, "pass"))
        names = [q[2] for q in asked]
        self.tally.check(names == ["sel._domainkey.cname-mix.kenin.test.", "link1.mix.alias.test."],
                         "CNAME first link only: the target asked once", f"queries {names}")

    def truncated(self):
        name = "sel._domainkey.truncated.kenin.test."
        message = self.signed("truncated.kenin.test")
        _, asked = self.asked_during(lambda: self.expect_verdict("4096-bit key, UDP reply truncated: verify",
                                                                 message, "pass"))
        seen = [(q[1], q[2]) for q in asked]
        self.tally.check(seen == [("UDP", name), ("TCP", name)],
                         "UDP reply truncated: asked again over TCP (server log)", f"queries {seen}",
                         note="server saw UDP then TCP")
        _, asked = self.asked_during(lambda: self.expect_keycheck(
            "UDP reply truncated: keycheck", "truncated.kenin.test", True, bits=4096))
        self.tally.check([q[1] for q in asked] == ["UDP", "TCP"], "UDP reply truncated: keycheck used TCP",
                         f"queries {asked}")

    def negative_answers(self):
        self.expect_verdict("NXDOMAIN: verify permerror", self.signed("nxdomain.kenin.test"), "permerror",
                            "nxdomain")
        self.expect_keycheck("NXDOMAIN: keycheck unusable, exit 1", "nxdomain.kenin.test", False, "NXDOMAIN")
        self.expect_verdict("NODATA (NOERROR, SOA only): verify permerror", self.signed("nodata.kenin.test"),
                            "permerror")
        self.expect_keycheck("NODATA: keycheck unusable, exit 1", "nodata.kenin.test", False)
        self.expect_verdict("SERVFAIL: verify temperror", self.signed("servfail.kenin.test"), "temperror",
                            "servfail")
        self.expect_keycheck("SERVFAIL: keycheck lookup failed, exit 1", "servfail.kenin.test", False, "SERVFAIL")
        self.expect_verdict("REFUSED: verify temperror", self.signed("refused.kenin.test"), "temperror")

    def timed(self, case, message, server=None):
        secs = self.expect_verdict(f"{case}: verify temperror", message, "temperror", extra=TIMEOUT_FLAGS,
                                   server=server)
        self.tally.check(MIN_WALL <= secs < MAX_WALL,
                         f"{case}: with --dns-timeout-ms 500 --dns-attempts 2 ends in [{MIN_WALL}, {MAX_WALL}) s",
                         f"measured {secs:.3f} s", note=f"measured {secs:.3f} s")
        return secs

    def no_answer(self):
        name = "sel._domainkey.silent.kenin.test."
        message = self.signed("silent.kenin.test")
        _, asked = self.asked_during(lambda: self.timed("ldns-testns never answers the name", message))
        self.tally.check(len(asked) == 2 and all(q[2] == name and q[1] == "UDP" for q in asked),
                         "never answered: exactly 2 attempts reached the server", f"queries {asked}")
        with UdpServer(lambda query: []) as dead:
            self.timed("UDP socket that drops every query", message, server=dead.server)
            time.sleep(0.1)
            asked = [q for q in dead.received if q not in DMARC_NAMES]
            self.tally.check(asked == [name, name], "dropping socket: exactly 2 attempts received",
                             f"received {dead.received}")

    def wrong_id(self):
        name = "sel._domainkey.wrong-id.kenin.test."
        message = self.signed("wrong-id.kenin.test")
        for _ in range(3):  # kenin's ids are random: rerun in the 1-in-65536 case it chose 0
            before = len(self.ns.queries())
            rc, reports, err, secs = self.kenin.verify_json(self.ns.server, [message], *TIMEOUT_FLAGS)
            asked = self.ns.queries()[before:]
            if not any(q[0] == 0 for q in asked):
                break
        got = dkim_results(reports[0]) if len(reports) == 1 else reports
        self.tally.check(rc == 0 and len(got) == 1 and got[0][0] == "temperror",
                         "reply with the wrong id: ignored, temperror (not pass)", f"rc={rc} verdict={got} {err}",
                         note=got and got[0][1])
        self.tally.check(MIN_WALL <= secs < MAX_WALL, "wrong id: the lookup ran to its timeout",
                         f"measured {secs:.3f} s", note=f"measured {secs:.3f} s")
        self.tally.check(len(asked) == 2 and all(q[2] == name for q in asked),
                         "wrong id: the server got (and answered) both attempts", f"queries {asked}")

        # A stray reply with the wrong id, then the right one: the first is dropped, the second used.
        def stray_then_real(query):
            real = txt_reply(query, [s.encode() for s in [self.value[i:i + 255]
                                                          for i in range(0, len(self.value), 255)]])
            stray = bytearray(real)
            stray[0] ^= 0xFF
            return [bytes(stray), real]

        with UdpServer(stray_then_real) as server:
            self.expect_verdict("stray reply with the wrong id, then the right one: verify pass",
                                self.signed("stray.kenin.test"), "pass", server=server.server)

    def run(self):
        self.make_keys()
        with TestNs(self.datafile(), os.path.join(self.workdir, "resolver.log"), self.args.ldns_testns) as ns:
            self.ns = ns
            self.split_strings()
            self.cname_chains()
            self.truncated()
            self.negative_answers()
            self.no_answer()
            self.wrong_id()


if __name__ == "__main__":
    sys.exit(run_script(__doc__, lambda args, workdir, tally: Cases(args, workdir, tally).run()))
