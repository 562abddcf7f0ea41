#!/usr/bin/env python3
"""Bad DNS data served by a real DNS server (ldns-testns) on loopback: every case must end in a
clear result (a JSON verdict with a reason from `kenin verify`, a report with a problem or an
error from `kenin keycheck`), a normal exit, and no hang (each run has a hard timeout).

TXT records that are not DKIM keys, binary octets in a TXT record, a ~62 KB answer of many
strings over TCP (and over UDP), answers for the wrong name (in the answer section, in the
question section) or the wrong type, CNAME loops and an over-long CNAME chain.

Usage: bad_input.py --kenin PATH [--ldns-testns PATH] [--keep]
"""
import os
import re
import sys

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
from dnstest import Kenin, TestNs, base_entries, dkim_results, entry, run_script, soa, txt_strings, write_message

SHORT_TIMEOUT = ["--dns-timeout-ms", "300", "--dns-attempts", "2"]
# Large answer: 6 records of 38 strings plus one of 24, 255 octets each, and the key: ~65 KB,
# near the 65535-octet limit of a DNS message (and the 65507 of a UDP datagram). ldns-testns
# reads its datafile in lines of at most 10240 characters: 38 quoted strings fit in one.
LARGE_RECORDS = [38] * 6 + [24]
MAX_REASON = 300  # characters in a verdict's reason


def key_name(domain, selector="sel"):
    return f"{selector}._domainkey.{domain}."


def junk_record(name, index, strings):
    parts = [(f"junk-{index:02}-{j:03}-" * 22)[:255] for j in range(strings)]
    return f"{name} 3600 IN TXT " + " ".join(f'"{p}"' for p in parts)


class Cases:
    def __init__(self, args, workdir, tally):
        self.args = args
        self.workdir = workdir
        self.kenin = Kenin(args.kenin, workdir)
        self.tally = tally
        self.ns = None
        self.pem, self.value, _ = self.kenin.keygen("sel", "keygen.kenin.test", "rsa", 2048)

    def key_txt(self, name):
        return f"{name} 3600 IN TXT {txt_strings(self.value, 255)}"

    def datafile(self):
        e = [base_entries()]
        txt = {  # domain: TXT rdata as written in the datafile
            "hello.bad.test": '"hello world"',
            "spf.bad.test": '"v=spf1 -all"',
            "empty.bad.test": '""',
            "binary.bad.test": r'"\000\255\200\001\010\013" "\127\128\254\255"',
            "binary-key.bad.test": r'"v=DKIM1; k=rsa; p=\000\255\200MIIBIjAN\254"',
            "binary-tag.bad.test": r'"v=DKIM1; k=rsa; n=caf\195\169\255; " ' +
                                   txt_strings("p=" + self.value.split("p=", 1)[1], 255),
        }
        for domain, rdata in txt.items():
            e.append(entry(key_name(domain), answer=[f"{key_name(domain)} 3600 IN TXT {rdata}"]))
        # SPF record and the key at one name: the key must still be found.
        q = key_name("mixed.bad.test")
        e.append(entry(q, answer=[f'{q} 3600 IN TXT "v=spf1 -all"', self.key_txt(q)]))

        # ~62 KB answer: truncated over UDP, complete over TCP; junk alone, and junk plus the key.
        for domain, with_key, tc in (("large-junk.bad.test", False, True), ("large-key.bad.test", True, True),
                                     ("large-udp.bad.test", True, False)):
            q = key_name(domain)
            records = [junk_record(q, i, n) for i, n in enumerate(LARGE_RECORDS)]
            if with_key:
                records.append(self.key_txt(q))
            if tc:
                e.append(entry(q, transport="UDP", flags="QR AA TC"))
                e.append(entry(q, transport="TCP", answer=records))
            else:
                e.append(entry(q, answer=records))

        # The key, but owned by another name than the one asked.
        q = key_name("answer-name.bad.test")
        e.append(entry(q, answer=[self.key_txt("sel._domainkey.other.bad.test.")]))
        # The key, but the reply's question names another domain (MATCH subdomain: the entry's
        # question, wrongq.bad.test., is a parent of the name asked and is sent back as is).
        e.append(entry("wrongq.bad.test.", match="opcode qtype subdomain",
                       answer=[self.key_txt(key_name("wrongq.bad.test"))]))
        # The key, but the question says type A.
        q = key_name("wrongtype.bad.test")
        e.append(entry(q, match="opcode qname", question=f"{q} IN A", answer=[self.key_txt(q)]))

        # CNAME loops: a -> b -> a in one answer, the same link by link, and a -> a.
        q, b = key_name("loop-whole.bad.test"), "b.loop-whole.bad.test."
        e.append(entry(q, answer=[f"{q} 3600 IN CNAME {b}", f"{b} 3600 IN CNAME {q}"]))
        q, b = key_name("loop-links.bad.test"), "b.loop-links.bad.test."
        e.append(entry(q, answer=[f"{q} 3600 IN CNAME {b}"]))
        e.append(entry(b, answer=[f"{b} 3600 IN CNAME {q}"]))
        q = key_name("loop-self.bad.test")
        e.append(entry(q, answer=[f"{q} 3600 IN CNAME {q}"]))
        # A chain of 12 links, one per reply, longer than kenin follows (8); it ends at the key.
        q = key_name("long-chain.bad.test")
        links = [q] + [f"l{i}.long-chain.bad.test." for i in range(1, 13)]
        for here, there in zip(links, links[1:]):
            e.append(entry(here, answer=[f"{here} 3600 IN CNAME {there}"]))
        e.append(entry(links[-1], answer=[self.key_txt(links[-1])]))
        # A CNAME to a name that does not exist.
        q, t = key_name("dangling.bad.test"), "gone.bad.test."
        e.append(entry(q, answer=[f"{q} 3600 IN CNAME {t}"]))
        e.append(entry(t, rcode="NXDOMAIN", authority=[soa("bad.test.")]))

        path = os.path.join(self.workdir, "bad.data")
        with open(path, "w") as f:
            f.write("".join(e))
        return path

    def signed(self, domain):
        raw = write_message(os.path.join(self.workdir, f"{domain}.raw.eml"), domain, f"case {domain}", "body")
        return self.kenin.sign(self.pem, domain, "sel", raw, os.path.join(self.workdir, f"{domain}.eml"))

    def verify(self, case, domain, results, reason_part="", extra=(), max_secs=None):
        """Checks `kenin verify`: exit 0, one JSON line, one verdict in `results` with a reason."""
        rc, reports, err, secs = self.kenin.verify_json(self.ns.server, [self.signed(domain)], *extra, timeout=20)
        got = dkim_results(reports[0]) if len(reports) == 1 else reports
        ok = rc == 0 and len(reports) == 1 and len(got) == 1 and got[0][0] in results and \
            (got[0][0] == "pass" or got[0][1] != "") and reason_part.lower() in got[0][1].lower()
        detail = f"rc={rc} verdict={got} {secs:.2f} s {err.strip()[:300]}"
        if ok and max_secs is not None and secs >= max_secs:
            ok, detail = False, f"took {secs:.2f} s, limit {max_secs} s"
        self.tally.check(ok, f"{case}: verify", detail,
                         note=ok and f"{got[0][0]}" + (f": {got[0][1][:100]}" if got[0][1] else ""))
        if len(reports) == 1 and "dkim" in reports[0]:
            self.clear_reason(case, reports[0])

    def clear_reason(self, case, report):
        """SPEC §2: a short human reason. It also goes into the Authentication-Results header
        (RFC 8601 §2.2: a quoted string of printable ASCII), so the DNS data it may quote must
        not bring in control octets, 8-bit octets or kilobytes of text."""
        reasons = [sig.get("reason", "") for sig in report["dkim"]]
        header = report.get("authentication_results", "")
        bad = [t for t in reasons + [header] if any(not (0x20 <= ord(c) < 0x7F or c == "\t") for c in t)]
        long = [len(r) for r in reasons if len(r) > MAX_REASON]
        self.tally.check(not bad and not long, f"{case}: reason short and printable, A-R header clean",
                         f"non-printable: {[t[:120] for t in bad]!r}; reasons over {MAX_REASON} chars: {long}")

    def keycheck(self, case, domain, usable, extra=(), text_too=True):
        """Checks `kenin keycheck --format json` (and the text form): exit 0/1 as usable, valid
        JSON, and when unusable an error or a problem saying why."""
        rc, report, out, err, secs = self.kenin.keycheck_json(self.ns.server, "sel", domain, *extra, timeout=20)
        ok = report is not None and rc == (0 if usable else 1) and report.get("usable") == usable
        why = ""
        if ok and not usable:
            why = report["error"] or "; ".join(p for r in report["records"] for p in r["problems"])
            ok = bool(why)
        self.tally.check(ok, f"{case}: keycheck --format json",
                         f"rc={rc} stdout={out.strip()[:300]!r} stderr={err.strip()[:300]!r}",
                         note=ok and ("usable" if usable else why[:120]))
        if text_too:
            rc, out, err, _ = self.kenin.run("keycheck", "sel", domain, "--resolver", self.ns.server, *extra,
                                             timeout=20)
            self.tally.check(rc == (0 if usable else 1) and out.strip() != "", f"{case}: keycheck (text)",
                             f"rc={rc} stdout={out.strip()[:300]!r} stderr={err.strip()[:300]!r}")

    def not_dkim(self):
        for domain, what in (("hello.bad.test", '"hello world"'), ("spf.bad.test", '"v=spf1 -all"'),
                             ("empty.bad.test", "an empty string")):
            self.verify(f"TXT {what}", domain, {"permerror"})
            self.keycheck(f"TXT {what}", domain, False)
        self.verify("an SPF record and the key at one name", "mixed.bad.test", {"pass"})
        self.keycheck("an SPF record and the key at one name", "mixed.bad.test", True)

    def binary(self):
        self.verify("TXT of binary octets", "binary.bad.test", {"permerror"})
        self.keycheck("TXT of binary octets", "binary.bad.test", False)
        self.verify("binary octets inside p=", "binary-key.bad.test", {"permerror"})
        self.keycheck("binary octets inside p=", "binary-key.bad.test", False)
        # n= (notes) holds octets outside VALCHAR: strict parsers refuse the record, lax ones skip it.
        self.verify("binary octets in the n= notes of a valid key", "binary-tag.bad.test", {"pass", "permerror"})
        rc, report, out, err, _ = self.kenin.keycheck_json(self.ns.server, "sel", "binary-tag.bad.test", timeout=20)
        self.tally.check(report is not None and rc in (0, 1), "binary octets in n=: keycheck --format json",
                         f"rc={rc} stdout={out.strip()[:300]!r} stderr={err.strip()[:300]!r}")

    def large(self):
        size = sum(LARGE_RECORDS) * 255
        # The default bound (16384, as kenind's) refuses such an answer; the largest one allowed
        # (65535) lets it be read to the end, where the key is or is not.
        self.verify(f"{size // 1000} KB answer, default max answer size", "large-key.bad.test",
                    {"temperror"}, reason_part="answer too large")
        big = ("--dns-max-answer-bytes", "65535")
        before = len(self.ns.queries())
        self.verify(f"{size // 1000} KB answer of {sum(LARGE_RECORDS)} strings over TCP, no key",
                    "large-junk.bad.test", {"permerror"}, extra=big)
        transports = [q[1] for q in self.ns.queries()[before:]]
        self.tally.check(transports == ["UDP", "TCP"], "large answer: truncated over UDP, fetched over TCP",
                         f"transports {transports}")
        sizes = [int(n) for n in re.findall(r"Answer packet size: (\d+) bytes", self.ns.log_text())]
        self.tally.check(max(sizes, default=0) > 60000, "large answer: the server sent over 60000 octets",
                         f"largest answer {max(sizes, default=0)} octets",
                         note=f"largest answer {max(sizes, default=0)} octets")
        self.keycheck("large answer, no key", "large-junk.bad.test", False, extra=big, text_too=False)
        self.verify(f"{size // 1000} KB answer over TCP, the key among the junk", "large-key.bad.test", {"pass"},
                    extra=big)
        self.keycheck("large answer, the key among the junk", "large-key.bad.test", True, extra=big,
                      text_too=False)
        self.verify(f"{size // 1000} KB answer in one UDP datagram, the key among the junk", "large-udp.bad.test",
                    {"pass"}, extra=big)

    def wrong_name(self):
        self.verify("answer section owned by another name", "answer-name.bad.test", {"permerror"})
        self.keycheck("answer section owned by another name", "answer-name.bad.test", False)
        self.verify("question section names another domain (reply ignored)", "wrongq.bad.test", {"temperror"},
                    extra=SHORT_TIMEOUT, max_secs=1.5)
        self.keycheck("question section names another domain", "wrongq.bad.test", False, extra=SHORT_TIMEOUT)
        self.verify("question section has type A (reply ignored)", "wrongtype.bad.test", {"temperror"},
                    extra=SHORT_TIMEOUT, max_secs=1.5)

    def cnames(self):
        # A loop is known as soon as it is seen: well under one default timeout (2 s).
        for domain, what in (("loop-whole.bad.test", "CNAME loop a -> b -> a in one answer"),
                             ("loop-links.bad.test", "CNAME loop a -> b -> a, one link per reply"),
                             ("loop-self.bad.test", "CNAME a -> a")):
            self.verify(what, domain, {"temperror", "permerror"}, "cname", max_secs=1.0)
            self.keycheck(what, domain, False)
        before = len(self.ns.queries())
        self.verify("CNAME chain of 12 links", "long-chain.bad.test", {"temperror", "permerror"}, "cname",
                    max_secs=1.0)
        asked = len(self.ns.queries()) - before
        self.tally.check(asked <= 10, "CNAME chain of 12 links: kenin stops following", f"{asked} queries",
                         note=f"{asked} queries")
        self.verify("CNAME to an NXDOMAIN name", "dangling.bad.test", {"permerror"})

    def run(self):
        with TestNs(self.datafile(), os.path.join(self.workdir, "bad.log"), self.args.ldns_testns) as ns:
            self.ns = ns
            self.not_dkim()
            self.binary()
            self.large()
            self.wrong_name()
            self.cnames()


if __name__ == "__main__":
    sys.exit(run_script(__doc__, lambda args, workdir, tally: Cases(args, workdir, tally).run()))
