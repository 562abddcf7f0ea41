#!/usr/bin/python3
"""The two local-policy choices on DKIM results (docs/security.md, policy/dkim_local_policy.h),
end to end through `kenin verify` and through kenind (raw milter client, raw_milter.py):

  l=      dkimpy signs with l=, then a mailing-list footer is appended. By default the
          signature is `dkim=policy reason="body extends past l=N"` and DMARC (p=reject, which
          counts only dkim=pass) fails; with unsigned_body "pass" it stays pass with a comment
          and DMARC passes. The same message without the footer passes either way.
  DNSSEC  a dnspython nameserver (tests/e2e/hostile_dns.py) answers with or without the AD
          bit. With trust_ad the key comment reads "dnssec=secure" (AD) or "dnssec=unsigned"
          (no AD), and the JSON "dnssec" says the same; without trust_ad no DNSSEC claim is
          written at all, whatever the bit.

Run with /usr/bin/python3 (python3-dkim, python3-dnspython):
    dkim_local_policy.py --kenin build/tools/kenin --kenind build/milter/kenind
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import dns.flags

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "milter"))
sys.path.insert(0, os.path.join(HERE, "..", "e2e"))
sys.path.insert(0, os.path.join(HERE, "..", "interop"))
from milterenv import AUTHSERV_ID, Kenind, Tally, free_port  # noqa: E402
from raw_milter import Client, resinfo, split_message  # noqa: E402
from hostile_dns import HostileDns  # noqa: E402
import dkimpy_interop  # noqa: E402  (its Key: `kenin keygen`, converted for dkimpy)

DOMAIN = "example.com"
DMARC = "v=DMARC1; p=reject"
MESSAGE = (b"From: Alice <alice@example.com>\r\nTo: bob@example.net\r\nSubject: l= test\r\n"
           b"Date: Tue, 14 Nov 2023 22:13:20 +0000\r\nMessage-ID: <l1@example.com>\r\n\r\n"
           b"The signed part of the body.\r\n")
FOOTER = b"--\r\nUnsubscribe: appended after signing by a mailing list\r\n"


class AdDns(HostileDns):
    """The healthy nameserver, setting the AD bit on every answer while `ad` is true (as a
    validating resolver does for a secure answer, RFC 4035 §3.2.3)."""
    ad = True

    def answer(self, query, name=None):
        response = super().answer(query, name)
        if self.ad:
            response.flags |= dns.flags.AD
        return response


def dkim_item(items):
    return next((i for i in items if i.startswith("dkim=")), "")


def dmarc_item(items):
    return next((i for i in items if i.startswith("dmarc=")), "")


class Run:
    def __init__(self, args, work, tally):
        self.args, self.work, self.tally = args, work, tally
        self.key = dkimpy_interop.Key("rsa2048", "rsa", 2048, b"rsa-sha256", work, args.kenin)
        self.zone = os.path.join(work, "keys.zone")
        with open(self.zone, "w") as f:
            f.write(self.key.zone_line + "\n")
            f.write(f'_dmarc.{DOMAIN}. 3600 IN TXT "{DMARC}"\n')
        key_name, key_txt = next(iter(dkimpy_interop.txt_records(self.key.zone_line).items()))
        self.dns = AdDns({(key_name, "TXT"): key_txt.decode(), (f"_dmarc.{DOMAIN}", "TXT"): DMARC})
        import dkim
        # dkim.sign returns the DKIM-Signature field only; it goes on top of the message.
        self.signed = dkim.sign(MESSAGE, b"rsa2048", DOMAIN.encode(), self.key.dkimpy_key,
                                canonicalize=(b"relaxed", b"relaxed"), length=True) + MESSAGE
        self.length = int(re.search(rb"\bl=(\d+)", self.signed).group(1))
        self.appended = self.signed + FOOTER

    def write(self, name, data):
        path = os.path.join(self.work, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def verify(self, message, *extra):
        """(A-R items, the JSON report) from `kenin verify` on one message."""
        path = self.write("m.eml", message)
        base = [self.args.kenin, "verify", "--authserv-id", AUTHSERV_ID, *extra]
        text = subprocess.run(base + [path], check=True, capture_output=True, text=True).stdout
        report = json.loads(subprocess.run(base + ["--format", "json", path], check=True,
                                           capture_output=True, text=True).stdout)
        value = text.partition("Authentication-Results: ")[2]
        return resinfo(value), report

    def check_verify(self):
        t, zone = self.tally, ["--zone", self.zone]
        policy_reason = f'reason="body extends past l={self.length}"'

        items, report = self.verify(self.signed, *zone)
        t.check(dkim_item(items).startswith("dkim=pass header.d=example.com")
                and dkim_item(items).endswith("(2048-bit rsa key)")
                and dmarc_item(items).startswith("dmarc=pass")
                and report["dkim"][0]["body_truncated"] is False,
                "verify: l= covering the whole body stays pass", items)

        items, report = self.verify(self.appended, *zone)
        sig = report["dkim"][0]
        t.check(dkim_item(items).startswith(f"dkim=policy {policy_reason} header.d=example.com")
                and dmarc_item(items).startswith("dmarc=fail")
                and sig["result"] == "policy" and sig["body_truncated"] is True,
                "verify: content after l= is dkim=policy by default, DMARC fails", (items, sig))

        items, report = self.verify(self.appended, *zone, "--unsigned-body", "pass")
        t.check(dkim_item(items).startswith("dkim=pass header.d=example.com")
                and dkim_item(items).endswith(f"(2048-bit rsa key, body extends past l={self.length})")
                and dmarc_item(items).startswith("dmarc=pass")
                and report["dkim"][0]["body_truncated"] is True,
                "verify --unsigned-body pass: pass with a comment, DMARC passes", items)

        resolver = ["--resolver", self.dns.server]
        self.dns.ad = True
        items, report = self.verify(self.signed, *resolver, "--trust-ad")
        t.check(dkim_item(items).endswith("(2048-bit rsa key, dnssec=secure)")
                and report["dkim"][0]["dnssec"] == "secure" and report["dkim"][0]["key_bits"] == 2048,
                "verify --trust-ad, AD set: dnssec=secure", (items, report["dkim"]))
        items, report = self.verify(self.signed, *resolver)
        t.check(dkim_item(items).startswith("dkim=pass") and "dnssec" not in dkim_item(items)
                and report["dkim"][0]["dnssec"] == "unknown",
                "verify without --trust-ad, AD set: no DNSSEC claim", (items, report["dkim"]))
        self.dns.ad = False
        items, report = self.verify(self.signed, *resolver, "--trust-ad")
        t.check(dkim_item(items).endswith("(2048-bit rsa key, dnssec=unsigned)")
                and report["dkim"][0]["dnssec"] == "unsigned",
                "verify --trust-ad, AD clear: dnssec=unsigned", (items, report["dkim"]))

    def kenind_items(self, config, messages):
        """The A-R items kenind adds to each message, with `config` as its TOML file."""
        path = self.write("kenind.toml", config.encode())
        port = free_port()
        kenind = Kenind(self.args.kenind, ["-c", path, "--socket", f"inet:{port}@127.0.0.1",
                                           "--authserv-id", AUTHSERV_ID])
        try:
            if not self.tally.check(kenind.wait_for("listening on"), "kenind starts", kenind.lines):
                return [[] for _ in messages]
            self.kenind_log = kenind.lines
            out = []
            for message in messages:
                fields, body = split_message(message)
                client = Client("127.0.0.1", port, timeout=30)
                try:
                    _, added, _ = client.transaction("192.0.2.25", "mail.example.net",
                                                     "alice@example.com", fields, [body])
                finally:
                    client.sock.close()
                out.append(resinfo(added.get("Authentication-Results", "")))
            return out
        finally:
            kenind.stop()

    def check_kenind(self):
        t = self.tally
        resolver = f'[dns]\nresolver = ["{self.dns.server}"]\n'
        self.dns.ad = True
        whole, appended = self.kenind_items(resolver + "trust_ad = true\n",
                                            [self.signed, self.appended])
        t.check(dkim_item(whole).endswith("(2048-bit rsa key, dnssec=secure)")
                and dkim_item(whole).startswith("dkim=pass")
                and dmarc_item(whole).startswith("dmarc=pass"),
                "kenind trust_ad = true, AD set: dkim=pass (..., dnssec=secure)", whole)
        t.check(dkim_item(appended).startswith(
                    f'dkim=policy reason="body extends past l={self.length}"')
                and dmarc_item(appended).startswith("dmarc=fail")
                # the key came from kenind's cache this time: the AD bit is kept there too
                and dkim_item(appended).endswith("(2048-bit rsa key, dnssec=secure)"),
                "kenind default unsigned_body: content after l= is dkim=policy, DMARC fails;"
                " the cached key answer keeps dnssec=secure", appended)

        whole, appended = self.kenind_items('[dkim]\nunsigned_body = "pass"\n\n' + resolver,
                                            [self.signed, self.appended])
        t.check(dkim_item(whole).endswith("(2048-bit rsa key)")
                and "dnssec" not in dkim_item(whole),
                "kenind trust_ad default (false), AD set: no DNSSEC claim", whole)
        t.check(dkim_item(appended).startswith("dkim=pass")
                and dkim_item(appended).endswith(f"body extends past l={self.length})")
                and dmarc_item(appended).startswith("dmarc=pass"),
                'kenind unsigned_body = "pass": pass with a comment', appended)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kenin", required=True)
    parser.add_argument("--kenind", required=True)
    args = parser.parse_args()
    tally = Tally()
    with tempfile.TemporaryDirectory() as work:
        run = Run(args, work, tally)
        with run.dns:
            run.check_verify()
            run.check_kenind()
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
