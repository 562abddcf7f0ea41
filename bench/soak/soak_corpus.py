"""The soak's mail (issue 8): good, bad and malformed messages, the DNS records they need, and
what kenind must say about each.

Every message is built once as a template (signed by dkimpy, tests/e2e/messages.py; the two
x=/t= cases by `kenin sign`, dkimpy has no x=) and sent many times, each copy with a header
of its own on top (unsigned, so signatures are unaffected) and its own recipient. Sender
domains are directly under `example.` so that each is its own Organizational Domain (no
relaxed alignment between them). The expected results follow the RFCs and docs/dkim.md,
docs/dmarc.md: `expected_dkim` per signature, and `expected_spf` / `expected_dmarc` from the
envelope and From domains (Expectation.for_envelope) -- a tiny oracle for the few record
shapes used here, not a second implementation.

The envelope of a copy is either the template's own (MAIL FROM in the From domain) or, for
templates that allow it, a "churn" domain new for every copy (soak-cNNNNNN.example, NXDOMAIN:
spf=none, RFC 7208 §4.3): a steady stream of names kenind has never seen, so its DNS cache
fills and then evicts all through the run.

The choices depend only on the seed; the keys (so b=) are new every run.
"""
import email.utils
import os
import random
import re
import sys
import time
from dataclasses import dataclass, field

import dkim  # Debian python3-dkim (dkimpy): the signer, for the options messages.sign lacks

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "load"))
import load_corpus  # noqa: E402  (bench/load; puts tests/e2e and tests/integration on the path)
import messages  # noqa: E402  (tests/e2e: keys, dkimpy signing, tampering)

ZONE = "example."                      # the DNS server answers for this zone; REFUSED outside
RCPT_DOMAIN = "rcpt.kenin-soak.example"
GOOD = [f"soak-g{n:02d}.example" for n in range(12)]
SPF_FAIL = "soak-spf-fail.example"     # -all without 127.0.0.0/8; p=reject
SPF_SOFT = "soak-spf-soft.example"     # ~all; p=quarantine
SPF_PERM = "soak-spf-perm.example"     # an unknown mechanism: permerror (RFC 7208 §4.6)
NO_DMARC = "soak-no-dmarc.example"     # keys and SPF, no DMARC record
BAD_DMARC = "soak-bad-dmarc.example"   # a DMARC record with an invalid p=: not applied
THIRD = "soak-third.example"           # signs mail From other domains (not aligned)
NX = "soak-nx.example"                 # no records at all: NXDOMAIN for every name
REFUSED = "soak.invalid"               # outside the zone: the server answers REFUSED

SPF_PASS = "v=spf1 ip4:127.0.0.0/8 -all"
SPF_RECORDS = {SPF_FAIL: ("v=spf1 ip4:192.0.2.0/24 -all", "fail"),
               SPF_SOFT: ("v=spf1 ip4:192.0.2.1 ~all", "softfail"),
               SPF_PERM: ("v=spf1 bogus:x ip4:127.0.0.0/8 -all", "permerror")}
DMARC_RECORDS = {SPF_FAIL: "v=DMARC1; p=reject", SPF_SOFT: "v=DMARC1; p=quarantine",
                 SPF_PERM: "v=DMARC1; p=reject", BAD_DMARC: "v=DMARC1; p=bogus",
                 THIRD: "v=DMARC1; p=none"}
for _n, _d in enumerate(GOOD):
    DMARC_RECORDS[_d] = f"v=DMARC1; p={('none', 'quarantine', 'reject')[_n % 3]}"
KEYED = [*GOOD, SPF_FAIL, SPF_SOFT, SPF_PERM, NO_DMARC, BAD_DMARC, THIRD]
# Body sizes of the signed messages: (share, octets).
SIZES = ((0.70, 1024), (0.25, 8 * 1024), (0.05, 64 * 1024))


def churn_domain(seq):
    return f"soak-c{seq:06d}.example"


def spf_result(domain):
    """What SPF says for MAIL FROM in `domain` from 127.0.0.1 (client of every copy)."""
    if domain == REFUSED:
        return "temperror"
    if domain in SPF_RECORDS:
        return SPF_RECORDS[domain][1]
    return "pass" if domain in KEYED else "none"  # NXDOMAIN: none (RFC 7208 §4.3)


def dmarc_applies(domain):
    """True when `domain` publishes a usable DMARC record (p= none, quarantine or reject)."""
    return re.search(r"p=(none|quarantine|reject)\b", DMARC_RECORDS.get(domain, "")) is not None


@dataclass
class Template:
    """One message as built: wire bytes (CRLF, dot-stuffed, no final "."), its case, and what
    kenind must say about it."""
    case: str
    kind: str                 # good | bad | malformed
    wire: bytes
    own_domain: str           # MAIL FROM domain of the template's own envelope
    from_domains: list        # domains of the From fields; None: unparseable From
    signatures: list          # [(d=, expected dkim result)]; [] for unsigned
    churn: bool = True        # may go with a churn envelope
    dmarc: str = ""           # set when the From domain decides alone (e.g. REFUSED)
    spf: str = ""

    def expected(self, envelope_domain):
        """{"dkim": sorted results, "spf": result, "dmarc": result} for a copy sent with MAIL FROM
        in `envelope_domain`."""
        dkim = sorted(r for _, r in self.signatures) or ["none"]
        spf = self.spf or spf_result(envelope_domain)
        return {"dkim": dkim, "spf": spf, "dmarc": self.dmarc or self.dmarc_result(envelope_domain,
                                                                                    spf)}

    def dmarc_result(self, envelope_domain, spf):
        # RFC 9989 §5.3.1: exactly one From field with one domain, else permerror (docs/dmarc.md).
        if self.from_domains is None or len(self.from_domains) != 1:
            return "permerror"
        author = self.from_domains[0]
        if not dmarc_applies(author):
            return "none"
        aligned = any(d == author and r == "pass" for d, r in self.signatures) or \
            (spf == "pass" and envelope_domain == author)
        return "pass" if aligned else "fail"


@dataclass
class Builder:
    """Keys, the text pool and the clock of one corpus; each case method returns a Template."""
    kenin: object             # tests/integration dnstest.Kenin
    workdir: str
    keys: dict                # selector -> messages.Key: rsa, ed, revoked, wrong (unpublished)
    lines: list
    rng: random.Random
    date: str = field(default_factory=email.utils.formatdate)
    counter: int = 0          # numbers Subject and Message-ID

    # --- pieces ---------------------------------------------------------------------------

    def headers(self, case, author, extra=b""):
        self.counter += 1
        return messages.crlf(
            f"From: Soak Sender <sender@{author}>\n"
            f"To: Soak Receiver <inbox@{RCPT_DOMAIN}>\n"
            f"Subject: soak {case} {self.counter}\n"
            f"Date: {self.date}\n"
            f"Message-ID: <{case}.{self.counter}@{author}>\n"
            f"MIME-Version: 1.0\n"
            f"Content-Type: text/plain; charset=us-ascii\n".encode()) + extra

    def body(self, size=None):
        if size is None:
            size = load_corpus.pick(self.rng, SIZES)
        return load_corpus.body(random.Random(self.rng.getrandbits(32)), self.lines, size)

    def message(self, case, author, extra=b"", body=None):
        return self.headers(case, author, extra) + b"\r\n" + (self.body() if body is None
                                                              else body)

    def sign(self, message, selector, domain, canon="relaxed/relaxed", headers=None):
        key = self.keys[selector]
        return messages.sign(message, key, canon, headers or messages.SIGNED, domain=domain)

    def kenin_sign(self, message, domain, timestamp, expire_after):
        """`kenin sign` with t= and x= (dkimpy cannot write x=)."""
        path = os.path.join(self.workdir, "to-sign.eml")
        with open(path, "wb") as f:
            f.write(message)
        rc, out, err, _ = self.kenin.run("sign", "-k", self.keys["rsa"].pem, "-d", domain, "-s",
                                         "rsa", "--timestamp", str(timestamp), "--expire-after",
                                         str(expire_after), path)
        if rc != 0:
            raise RuntimeError(f"kenin sign failed: {err}")
        return messages.crlf(out.encode())

    def template(self, case, kind, message, author, signatures, **kw):
        return Template(case, kind, load_corpus.dot_stuff(message), kw.pop("own", author),
                        kw.pop("froms", [author]), signatures, **kw)

    # --- good: dkim=pass ----------------------------------------------------------------------

    def good(self, case, selector, canon):
        def build(d):
            return self.template(case, "good", self.sign(self.message(case, d), selector, d, canon),
                                 d, [(d, "pass")])
        return build

    def good_two(self, d):
        m = self.sign(self.message("good-two-signatures", d), "rsa", d)
        m = self.sign(m, "ed", d, "simple/simple", messages.SIGNED + [b"subject"])
        return self.template("good-two-signatures", "good", m, d, [(d, "pass"), (d, "pass")])

    def good_forged_ar(self, d):
        """Forged Authentication-Results with our authserv-id above a good signature: kenind
        deletes them (RFC 8601 §5); the sink sees exactly one field of ours."""
        forged = (f"Authentication-Results: {load_corpus.AUTHSERV_ID}; dkim=pass header.d={d}\r\n"
                  f"Authentication-Results: {load_corpus.AUTHSERV_ID.upper()};\r\n"
                  f"\tspf=pass smtp.mailfrom={d}; dmarc=pass header.from={d}\r\n").encode()
        m = self.sign(self.message("good-forged-ar", d), "rsa", d)
        return self.template("good-forged-ar", "good", forged + m, d, [(d, "pass")])

    def length_appended(self, d):
        """l= covers the first body octets and content is appended after signing (RFC 6376
        §8.2): kenind's default ([dkim] unsigned_body = "policy", docs/security.md) reports
        dkim=policy, and DMARC rests on SPF alone."""
        m = self.message("bad-l-appended", d)
        key = self.keys["rsa"]
        signed = dkim.sign(m, b"rsa", d.encode(), key.dkimpy_key,
                                    canonicalize=(b"relaxed", b"relaxed"),
                                    include_headers=list(messages.SIGNED), length=True,
                                    linesep=b"\r\n") + m
        appended = signed + b"Appended after signing: click here.\r\n"
        return self.template("bad-l-appended", "bad", appended, d, [(d, "policy")])

    # --- bad: signed but wrong, or a failing policy ---------------------------------------

    def tampered_body(self, d):
        m = self.sign(self.message("bad-body-tampered", d, body=self.body(1024)), "rsa", d)
        head, body = m.split(b"\r\n\r\n", 1)
        m = head + b"\r\n\r\nX" + body  # one octet more on the first line, in any canonicalization
        return self.template("bad-body-tampered", "bad", m, d, [(d, "fail")])

    def tampered_header(self, d):
        m = self.sign(self.message("bad-header-tampered", d), "ed", d)
        m = messages.tamper_header(m, b"Subject: soak", b"Subject: SOAK")
        return self.template("bad-header-tampered", "bad", m, d, [(d, "fail")])

    def wrong_key(self, d):
        """Signed with a key that is not the one published at s=rsa: signature fails."""
        key = self.keys["wrong"]
        m = messages.sign(self.message("bad-wrong-key", d), key, "relaxed/relaxed", domain=d)
        return self.template("bad-wrong-key", "bad", m, d, [(d, "fail")])

    def revoked(self, d):
        m = self.sign(self.message("bad-revoked-key", d), "revoked", d)
        return self.template("bad-revoked-key", "bad", m, d, [(d, "permerror")])

    def no_key(self, d):
        key = messages.Key("nokey", "rsa", dkimpy_key=self.keys["rsa"].dkimpy_key)
        m = messages.sign(self.message("bad-no-key", d), key, "relaxed/relaxed", domain=d)
        return self.template("bad-no-key", "bad", m, d, [(d, "permerror")])

    def rsa_sha1(self, d):
        key = self.keys["rsa"]
        m = self.message("bad-rsa-sha1", d)
        m = dkim.sign(m, b"rsa", d.encode(), key.dkimpy_key,
                               include_headers=list(messages.SIGNED),
                               signature_algorithm=b"rsa-sha1", linesep=b"\r\n") + m
        return self.template("bad-rsa-sha1", "bad", m, d, [(d, "permerror")])  # RFC 8301 §3.1

    def key_type(self, d):
        """An ed25519 signature naming the RSA key: k= does not match a= (permerror)."""
        key = messages.Key("rsa", "ed25519", dkimpy_key=self.keys["ed"].dkimpy_key)
        m = messages.sign(self.message("bad-key-type", d), key, "relaxed/relaxed", domain=d)
        return self.template("bad-key-type", "bad", m, d, [(d, "permerror")])

    def expired(self, d):
        """x= an hour in the past: `policy` (docs/dkim.md row 12)."""
        now = int(time.time())
        m = self.kenin_sign(self.message("bad-expired", d), d, now - 7200, 3600)
        return self.template("bad-expired", "bad", m, d, [(d, "policy")])

    def future(self, d):
        """t= a day ahead: `policy` (docs/dkim.md row 11)."""
        m = self.kenin_sign(self.message("bad-future", d), d, int(time.time()) + 86400, 3600)
        return self.template("bad-future", "bad", m, d, [(d, "policy")])

    def unsigned(self, case, author, **kw):
        def build(_d):
            return self.template(case, "bad", self.message(case, author), author, [], **kw)
        return build

    def policy_domain(self, case, author, tamper):
        """Signed by `author` itself; tampered or not. SPF and DMARC as its records say."""
        def build(_d):
            m = self.sign(self.message(case, author, body=self.body(1024)), "rsa", author)
            if tamper:
                m = messages.tamper_header(m, b"Subject: soak", b"Subject: SOAK")
            return self.template(case, "bad", m, author, [(author, "fail" if tamper else "pass")])
        return build

    def third_party(self, d):
        m = self.sign(self.message("bad-third-party", d), "rsa", THIRD)
        return self.template("bad-third-party", "bad", m, d, [(THIRD, "pass")])

    def nx_domain(self, _d):
        m = self.sign(self.message("bad-nx-domain", NX), "rsa", NX)
        return self.template("bad-nx-domain", "bad", m, NX, [(NX, "permerror")], churn=False)

    def refused(self, _d):
        """Every name outside the zone: the server answers REFUSED, a DNS failure: temperror for
        DKIM, SPF and DMARC (docs/dns.md), delivered all the same."""
        m = self.sign(self.message("bad-dns-refused", REFUSED), "rsa", REFUSED)
        return self.template("bad-dns-refused", "bad", m, REFUSED, [(REFUSED, "temperror")],
                             churn=False, dmarc="temperror")

    # --- malformed ------------------------------------------------------------------------

    def broken_signature(self, case, edit, result="permerror"):
        """A good signature whose DKIM-Signature field is then edited by `edit(field)`."""
        def build(d):
            m = self.sign(self.message(case, d, body=self.body(1024)), "rsa", d)
            end = m.index(b"\r\n", 0)
            while m[end + 2:end + 3] in (b" ", b"\t"):  # the field's folded lines
                end = m.index(b"\r\n", end + 2)
            m = edit(m[:end], d) + m[end:]
            return self.template(case, "malformed", m, d, [(d, result)])
        return build

    def garbage_signature(self, d):
        m = b"DKIM-Signature: \x01\x02\x7f ;;; === ; b=\r\n" + self.message("mal-garbage-sig", d)
        return self.template("mal-garbage-sig", "malformed", m, d, [("", "permerror")])

    def duplicate_from(self, d):
        """A second From on top; the signature covers the last one (RFC 6376 §5.4.2) and still
        passes; DMARC needs exactly one From: permerror."""
        other = GOOD[(GOOD.index(d) + 1) % len(GOOD)] if d in GOOD else GOOD[0]
        m = self.sign(self.message("mal-duplicate-from", d), "rsa", d)
        m = f"From: Someone Else <ceo@{other}>\r\n".encode() + m
        return self.template("mal-duplicate-from", "malformed", m, d, [(d, "pass")],
                             froms=[other, d])

    def missing_from(self, d):
        m = self.message("mal-missing-from", d)
        m = re.sub(rb"^From: [^\r]*\r\n", b"", m)
        return self.template("mal-missing-from", "malformed", m, d, [], froms=[])

    def bad_from(self, d):
        m = self.message("mal-unparseable-from", d)
        m = re.sub(rb"^From: [^\r]*\r\n", b"From: <<<@@@> \"unterminated\r\n", m)
        return self.template("mal-unparseable-from", "malformed", m, d, [], froms=None)

    def eight_bit_headers(self, d):
        """Raw 8-bit octets (not UTF-8) in a signed Subject and an unsigned field; sent without
        SMTPUTF8. Signed bytes are hashed as they are: pass."""
        extra = b"X-Junk: \xc3\x28 \xa0\xa1 invalid utf-8 \xff\xfe\r\n"
        m = self.message("mal-8bit-headers", d, extra)
        m = m.replace(b"Subject: soak", b"Subject: \xe9t\xe9 \x80\x81\xfe soak", 1)
        m = self.sign(m, "rsa", d)
        return self.template("mal-8bit-headers", "malformed", m, d, [(d, "pass")])

    def nul_header(self, d):
        m = self.sign(self.message("mal-nul-header", d, b"X-Nul: before\x00after\r\n"), "rsa", d)
        return self.template("mal-nul-header", "malformed", m, d, [(d, "pass")])

    def long_header(self, d):
        m = self.sign(self.message("mal-long-header", d, b"X-Long: " + b"a" * 60000 + b"\r\n"),
                      "ed", d)
        return self.template("mal-long-header", "malformed", m, d, [(d, "pass")])

    def long_body_line(self, d):
        body = b"".join(self.rng.choice(self.lines).rstrip(b"\r\n") for _ in range(4500))
        m = self.sign(self.message("mal-long-body-line", d, body=body[:300000] + b"\r\n"), "rsa",
                      d)
        return self.template("mal-long-body-line", "malformed", m, d, [(d, "pass")])

    def empty_body(self, d):
        m = self.sign(self.message("mal-empty-body", d, body=b""), "rsa", d, "simple/simple")
        return self.template("mal-empty-body", "malformed", m, d, [(d, "pass")])

    def header_only(self, d):
        """No empty line at all: the body is empty (RFC 5322 §3.5 makes the body optional)."""
        m = self.sign(self.message("mal-header-only", d, body=b""), "rsa", d)
        assert m.endswith(b"\r\n\r\n")
        return self.template("mal-header-only", "malformed", m[:-2], d, [(d, "pass")])

    def many_fields(self, d):
        extra = b"".join(b"X-Filler-%04d: field %d of many\r\n" % (i, i) for i in range(1000))
        m = self.sign(self.message("mal-1000-fields", d, extra), "rsa", d)
        return self.template("mal-1000-fields", "malformed", m, d, [(d, "pass")])

    def ten_signatures(self, d):
        """More than [dkim] max_signatures (8): the first 8 verify, the rest are permerror."""
        m = self.message("mal-10-signatures", d, body=self.body(1024))
        for i in range(10):
            m = self.sign(m, ("rsa", "ed")[i % 2], d)
        return self.template("mal-10-signatures", "malformed", m, d,
                             [(d, "pass")] * 8 + [(d, "permerror")] * 2)

    def bare_lf(self, d):
        m = self.message("mal-bare-lf", d, body=b"line one\nline two\n\nbare LF only\n\r\n")
        return self.template("mal-bare-lf", "malformed", m, d, [])

    def junk_line(self, d):
        """A line without a colon in the header section. Postfix ends the header there and
        makes it the first body line, so the signed body hash no longer matches: fail."""
        m = self.sign(self.message("mal-junk-line", d, body=self.body(1024)), "rsa", d)
        head, body = m.split(b"\r\n\r\n", 1)
        m = head + b"\r\nthis line is not a header field\r\n\r\n" + body
        return self.template("mal-junk-line", "malformed", m, d, [(d, "fail")])


def edit_tag(pattern, replacement):
    def edit(field_, d):
        out, n = re.subn(pattern, replacement(d) if callable(replacement) else replacement, field_,
                         count=1)
        assert n == 1, (pattern, field_)
        return out
    return edit


def remove_from_h(field_, _d):
    m = re.search(rb"\bh=([^;]*);", field_)
    names = [n for n in re.split(rb":", m[1]) if n.strip().lower() != b"from"]
    return field_[:m.start(1)] + b":".join(names) + field_[m.end(1):]


def cases(b):
    """[(weight in %, kind, build(domain) -> Template)]: the mix."""
    return [
        # good: 60%
        (17, "good", b.good("good-rsa-relaxed", "rsa", "relaxed/relaxed")),
        (10, "good", b.good("good-rsa-simple", "rsa", "simple/simple")),
        (5, "good", b.good("good-rsa-relaxed-simple", "rsa", "relaxed/simple")),
        (8, "good", b.good("good-ed-relaxed", "ed", "relaxed/relaxed")),
        (5, "good", b.good("good-ed-simple", "ed", "simple/simple")),
        (8, "good", b.good_two),
        (4, "good", b.good_forged_ar),
        (3, "bad", b.length_appended),
        # bad: 25%
        (2.5, "bad", b.tampered_body),
        (2.5, "bad", b.tampered_header),
        (2, "bad", b.wrong_key),
        (2, "bad", b.revoked),
        (1.5, "bad", b.expired),
        (0.5, "bad", b.future),
        (1.5, "bad", b.no_key),
        (1, "bad", b.rsa_sha1),
        (1, "bad", b.key_type),
        (2, "bad", b.unsigned("bad-spf-fail-unsigned", SPF_FAIL)),
        (1, "bad", b.policy_domain("bad-spf-fail-signed", SPF_FAIL, tamper=False)),
        (1, "bad", b.policy_domain("bad-spf-softfail-tampered", SPF_SOFT, tamper=True)),
        (1, "bad", b.unsigned("bad-spf-permerror-unsigned", SPF_PERM)),
        (0.5, "bad", b.policy_domain("bad-no-dmarc", NO_DMARC, tamper=False)),
        (0.5, "bad", b.unsigned("bad-invalid-dmarc", BAD_DMARC)),
        (1, "bad", b.unsigned("bad-unsigned", GOOD[0])),
        (1, "bad", b.third_party),
        (1, "bad", b.nx_domain),
        (0.5, "bad", b.refused),
        # malformed: 15%
        (1, "malformed", b.broken_signature("mal-no-bh", edit_tag(rb"\bbh=[^;]*;\s*", b""))),
        (1, "malformed", b.broken_signature("mal-b-base64", edit_tag(rb"(\bb=)[^;]*$",
                                                                    rb"\1!!not*base64!!"))),
        (1, "malformed", b.broken_signature("mal-bh-base64", edit_tag(rb"(\bbh=)[^;]*",
                                                                     rb"\1%%%%%%%%"))),
        (1, "malformed", b.broken_signature("mal-duplicate-tag", edit_tag(
            rb"\bv=1;", lambda d: b"v=1; d=" + d.encode() + b";"))),
        (1, "malformed", b.broken_signature("mal-tag-without-equals",
                                            edit_tag(rb"\bv=1;", b"v=1; junk;"))),
        (0.5, "malformed", b.broken_signature("mal-version", edit_tag(rb"\bv=1;", b"v=2;"))),
        (0.5, "malformed", b.broken_signature("mal-algorithm", edit_tag(rb"\ba=rsa-sha256",
                                                                       b"a=rsa-md5"))),
        (1, "malformed", b.broken_signature("mal-h-without-from", remove_from_h)),
        (0.5, "malformed", b.broken_signature("mal-8bit-d", edit_tag(rb"\bd=soak-",
                                                                    b"d=\xe9\xff\x80soak-"))),
        (1, "malformed", b.garbage_signature),
        (1, "malformed", b.duplicate_from),
        (1, "malformed", b.missing_from),
        (0.5, "malformed", b.bad_from),
        (1, "malformed", b.eight_bit_headers),
        (0.5, "malformed", b.nul_header),
        (0.5, "malformed", b.long_header),
        (0.3, "malformed", b.long_body_line),
        (1, "malformed", b.empty_body),
        (0.5, "malformed", b.header_only),
        (0.2, "malformed", b.many_fields),
        (0.3, "malformed", b.ten_signatures),
        (0.5, "malformed", b.bare_lf),
        (0.2, "malformed", b.junk_line),
    ]


def make_keys(kenin):
    keys = {"rsa": messages.make_key(kenin, "rsa", "rsa"),
            "ed": messages.make_key(kenin, "ed", "ed25519"),
            "wrong": messages.make_key(kenin, "wrong", "rsa")}
    keys["wrong"].selector = "rsa"  # signs as s=rsa, but is never published
    keys["revoked"] = messages.Key("revoked", "rsa", dkimpy_key=keys["rsa"].dkimpy_key,
                                   txt="v=DKIM1; k=rsa; p=")
    return keys


def dns_records(keys):
    """[[name, "TXT", [value]]] for bench/load/dns_server.py."""
    out = [[f"{load_corpus.HELO}.", "TXT", [SPF_PASS]]]
    for d in KEYED:
        out += [[f"{k.selector}._domainkey.{d}.", "TXT", [k.txt]]
                for name, k in keys.items() if name != "wrong"]
        out.append([f"{d}.", "TXT", [SPF_RECORDS.get(d, (SPF_PASS,))[0]]])
        if d in DMARC_RECORDS:
            out.append([f"_dmarc.{d}.", "TXT", [DMARC_RECORDS[d]]])
    return out


def build(kenin, workdir, count, seed):
    """`count` templates (at least one of every case), in a seeded order."""
    rng = random.Random(seed)
    builder = Builder(kenin, workdir, make_keys(kenin), load_corpus.text_lines(rng), rng)
    mix = cases(builder)
    weights = [w for w, _, _ in mix]
    chosen = list(range(len(mix))) + rng.choices(range(len(mix)), weights,
                                                k=max(0, count - len(mix)))
    templates = []
    for n, index in enumerate(chosen):
        _, kind, make = mix[index]
        t = make(GOOD[n % len(GOOD)])
        assert t.kind == kind, t.case
        templates.append(t)
    return templates, builder.keys, mix
