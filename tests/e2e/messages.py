"""The messages of the end-to-end test: keys from `kenin keygen`, messages signed by dkimpy
(Debian python3-dkim), tampered copies, forged Authentication-Results, and what kenind must say
about each (postfix_milter_e2e.py sends them through Postfix and checks what is delivered).

Every signature has d=DOMAIN, which is also the From domain; the selector names the key, so a
result in the Authentication-Results is matched to its signature by header.s. Each case is
sent to <case-name@RCPT_DOMAIN>, which is how the delivered copy is found again. Also here:
the DNS records kenind needs for them (dns_records) and how a delivered message's
Authentication-Results are read back (split_fields, our_results).
"""
import base64
import email.utils
import re
import subprocess
import time
from dataclasses import dataclass, field

import authres
import authres.dmarc
import dkim

DOMAIN = "kenin-e2e.test"              # d= of every signature, and the From domain
RCPT_DOMAIN = "rcpt.kenin-e2e.test"     # RCPT TO: <case-name@RCPT_DOMAIN> names the case
FOREIGN_AUTHSERV_ID = "mx.elsewhere.example"
AUTHSERV_ID = "mx.kenin-e2e.test"       # kenind's, given with --authserv-id
ENVELOPE_DOMAIN = "mailer.example.net"  # MAIL FROM: SPF passes, but is not aligned with From
MAIL_FROM = f"bounces@{ENVELOPE_DOMAIN}"
HELO = "client.kenin-e2e.test"
SIGNED = [b"from", b"to", b"subject", b"date", b"message-id", b"mime-version", b"content-type"]


def crlf(text):
    return text.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


# --- keys -----------------------------------------------------------------------------------

@dataclass
class Key:
    selector: str
    kind: str            # rsa | ed25519
    pem: str = ""
    txt: str = ""        # the TXT record value
    dkimpy_key: bytes = b""

    @property
    def algorithm(self):
        return b"ed25519-sha256" if self.kind == "ed25519" else b"rsa-sha256"


def make_key(kenin, selector, kind, bits=2048):
    """`kenin keygen`, and the private key in the form dkimpy takes: PKCS#1 PEM for RSA, the
    base64 of the 32-byte seed for Ed25519 (the last 32 octets of its PKCS#8 DER)."""
    key = Key(selector, kind)
    key.pem, key.txt, _ = kenin.keygen(selector, DOMAIN, kind=kind, bits=bits)
    if kind == "rsa":
        key.dkimpy_key = subprocess.run(["openssl", "pkey", "-in", key.pem, "-traditional"],
                                        check=True, capture_output=True).stdout
    else:
        der = subprocess.run(["openssl", "pkey", "-in", key.pem, "-outform", "DER"], check=True,
                             capture_output=True).stdout
        key.dkimpy_key = base64.b64encode(der[-32:])
    return key


def make_keys(kenin):
    """The two keys every script uses: {selector: Key}."""
    return {"rsa2048": make_key(kenin, "rsa2048", "rsa"),
            "ed25519": make_key(kenin, "ed25519", "ed25519")}


def dns_records(keys):
    """{(name, type): TXT value or None for NXDOMAIN}: everything kenind should ask for."""
    records = {(f"{k.selector}._domainkey.{DOMAIN}.", "TXT"): k.txt for k in keys.values()}
    records[(f"missing._domainkey.{DOMAIN}.", "TXT")] = None
    records[(f"{ENVELOPE_DOMAIN}.", "TXT")] = "v=spf1 ip4:127.0.0.0/8 -all"
    records[(f"_dmarc.{DOMAIN}.", "TXT")] = "v=DMARC1; p=none"
    records[(f"{DOMAIN}.", "TXT")] = "v=spf1 -all"
    # SPF of the HELO name, and the DMARC tree walk of the envelope domain, if either is asked.
    for name in (f"{HELO}.", f"_dmarc.{ENVELOPE_DOMAIN}.", "_dmarc.example.net.", "_dmarc.net."):
        records[(name, "TXT")] = None
    return records


# --- messages -------------------------------------------------------------------------------

@dataclass
class Case:
    name: str
    message: bytes
    expect: dict                      # selector -> dkim result; {} = unsigned (dkim=none)
    smtputf8: bool = False            # send with SMTPUTF8 + BODY=8BITMIME through smtplib
    foreign_ar: list = field(default_factory=list)  # A-R fields that must arrive unchanged
    forged: int = 0                   # A-R fields with our authserv-id in what was sent

    @property
    def rcpt(self):
        return f"{self.name}@{RCPT_DOMAIN}"

    @property
    def dmarc(self):
        return "pass" if "pass" in self.expect.values() else "fail"


BODY = crlf(
    b"Hello,\n"
    b"\n"
    b"This  body has\ttabs and   runs of spaces,   \n"
    b"trailing whitespace\t\n"
    b".a line starting with a dot, stuffed on both SMTP hops\n"
    b".\n"
    b"..two dots\n"
    b"and trailing blank lines.\n"
    b"\n"
    b"\n")


def headers_7bit(name, canon, domain=DOMAIN):
    return crlf(
        f"From: Kenin Sender <sender@{domain}>\n"
        f"To: Receiver One <one@{RCPT_DOMAIN}>,\n"
        f"\tReceiver Two <two@{RCPT_DOMAIN}>,\n"
        f"    three@{RCPT_DOMAIN}\n"
        f"Subject:  A folded   subject ({canon})  \n"
        f"\t with   runs of whitespace\t\n"
        f"Date: {email.utils.formatdate()}\n"
        f"Message-ID: <{name}.{time.time_ns()}@{domain}>\n"
        f"MIME-Version: 1.0\n"
        f"Content-Type: text/plain;\n"
        f"\tcharset=us-ascii\n"
        f"X-Mailer: kenin-e2e\n"
        f"X-E2E-Case: {name}\n".encode())


def headers_8bit(name, canon):
    return crlf(
        f"From: Kenin Sender <sender@{DOMAIN}>\n"
        f"To: J\u00fcrgen M\u00fcller <one@{RCPT_DOMAIN}>\n"
        f"Subject: Gr\u00fc\u00dfe aus K\u00f6ln \u2014 \u691c\u5370  ({canon})\n"
        f"  zweite   Zeile \u00e4\u00f6\u00fc\n"
        f"Date: {email.utils.formatdate()}\n"
        f"Message-ID: <{name}.{time.time_ns()}@{DOMAIN}>\n"
        f"MIME-Version: 1.0\n"
        f"Content-Type: text/plain; charset=utf-8\n"
        f"Content-Transfer-Encoding: 8bit\n"
        f"X-Mailer: kenin-e2e\n"
        f"X-E2E-Case: {name}\n".encode("utf-8"))


BODY_8BIT = crlf("Gr\u00fc\u00dfe,   \u00fcberall \u691c\u5370.\t\n.\u00e4 after a dot\n\n".encode())


def big_body():
    """~300 KB: Postfix hands it to the milter in many body chunks (at most 64 KB each)."""
    line = b"%05d the quick brown fox jumps over the   lazy dog\t \r\n"
    return b"".join(line % i for i in range(6000))


def sign(message, key, canon, headers=SIGNED, domain=DOMAIN):
    header_canon, body_canon = canon.encode().split(b"/")
    field_ = dkim.sign(message, key.selector.encode(), domain.encode(), key.dkimpy_key,
                       canonicalize=(header_canon, body_canon), include_headers=list(headers),
                       signature_algorithm=key.algorithm, linesep=b"\r\n")
    return field_ + message


def replace_once(data, old, new):
    assert data.count(old) >= 1, f"{old!r} not in message"
    return data.replace(old, new, 1)


def tamper_body(message, old, new):
    head, body = message.split(b"\r\n\r\n", 1)
    return head + b"\r\n\r\n" + replace_once(body, old, new)


def tamper_header(message, old, new):
    head, body = message.split(b"\r\n\r\n", 1)
    return replace_once(head, old, new) + b"\r\n\r\n" + body


def cases(keys, authserv_id):
    """Every case, in sending order; forged A-R fields carry `authserv_id`."""
    rsa, ed = keys["rsa2048"], keys["ed25519"]
    out = []

    def add(name, message, expect, **kw):
        out.append(Case(name, message, expect, **kw))

    for canon in ("relaxed/relaxed", "simple/simple", "relaxed/simple", "simple/relaxed"):
        tag = canon.replace("/", "-")
        signed = sign(headers_7bit(f"rsa-{tag}", canon) + b"\r\n" + BODY, rsa, canon)
        add(f"rsa-{tag}", signed, {"rsa2048": "pass"})
    for canon in ("relaxed/relaxed", "simple/simple"):
        tag = canon.replace("/", "-")
        signed = sign(headers_7bit(f"ed25519-{tag}", canon) + b"\r\n" + BODY, ed, canon)
        add(f"ed25519-{tag}", signed, {"ed25519": "pass"})

    # 8-bit UTF-8 header and body fields, sent with SMTPUTF8 and BODY=8BITMIME.
    for canon in ("relaxed/relaxed", "simple/simple"):
        tag = canon.replace("/", "-")
        signed = sign(headers_8bit(f"utf8-{tag}", canon) + b"\r\n" + BODY_8BIT, rsa, canon)
        add(f"utf8-{tag}", signed, {"rsa2048": "pass"}, smtputf8=True)
        add(f"utf8-{tag}-subject-changed",
            tamper_header(signed, "K\u00f6ln".encode(), "Koeln".encode()),
            {"rsa2048": "fail"}, smtputf8=True)

    # Two signatures: rsa relaxed over the usual fields; ed25519 simple over them and X-Mailer.
    two = sign(headers_7bit("two-signatures", "two") + b"\r\n" + BODY, rsa, "relaxed/relaxed")
    two = sign(two, ed, "simple/simple", SIGNED + [b"x-mailer"])
    add("two-signatures", two, {"rsa2048": "pass", "ed25519": "pass"})
    add("two-signatures-xmailer-changed", tamper_header(two, b"X-Mailer: kenin-e2e",
                                                        b"X-Mailer: kenin-e2f"),
        {"rsa2048": "pass", "ed25519": "fail"})
    add("two-signatures-body-changed", tamper_body(two, b"Hello,", b"Jello,"),
        {"rsa2048": "fail", "ed25519": "fail"})

    # Tampered after signing.
    for canon in ("relaxed/relaxed", "simple/simple"):
        tag = canon.replace("/", "-")
        signed = sign(headers_7bit(f"tampered-{tag}", canon) + b"\r\n" + BODY, rsa, canon)
        add(f"body-changed-{tag}", tamper_body(signed, b"tabs and", b"tabs an"),
            {"rsa2048": "fail"})
        add(f"body-line-added-{tag}", tamper_body(signed, b"Hello,\r\n", b"Hello,\r\nP.S.\r\n"),
            {"rsa2048": "fail"})
        add(f"subject-changed-{tag}", tamper_header(signed, b"subject (", b"Subject ("),
            {"rsa2048": "fail"})
        add(f"from-changed-{tag}", tamper_header(signed, b"Kenin Sender", b"Kenin Sendor"),
            {"rsa2048": "fail"})

    # Large body, untouched and with one byte changed in the middle.
    big = sign(headers_7bit("large-body", "relaxed/relaxed") + b"\r\n" + big_body(), rsa,
               "relaxed/relaxed")
    add("large-body", big, {"rsa2048": "pass"})
    add("large-body-changed", tamper_body(big, b"03000 the quick", b"03000 the quack"),
        {"rsa2048": "fail"})

    # Forged Authentication-Results with our authserv-id: gone on delivery; foreign one stays.
    foreign = (f"Authentication-Results: {FOREIGN_AUTHSERV_ID};\r\n"
               f"\tdkim=pass header.d={DOMAIN} header.s=rsa2048").encode()
    forged = (f"Authentication-Results: {authserv_id}; dkim=pass header.d={DOMAIN}\r\n"
              f"Authentication-Results:\r\n  {authserv_id};\r\n"
              f"\tspf=pass smtp.mailfrom={DOMAIN};\r\n\tdmarc=pass header.from={DOMAIN}\r\n").encode()
    signed = sign(headers_7bit("forged-ar", "relaxed/relaxed") + b"\r\n" + BODY, rsa,
                  "relaxed/relaxed")
    add("forged-ar", forged + foreign + b"\r\n" + signed, {"rsa2048": "pass"},
        foreign_ar=[foreign], forged=2)
    add("forged-ar-on-tampered", forged + foreign + b"\r\n" +
        tamper_body(signed, b"Hello,", b"Jello,"), {"rsa2048": "fail"}, foreign_ar=[foreign],
        forged=2)
    unsigned = headers_7bit("forged-ar-unsigned", "none") + b"\r\n" + BODY
    add("forged-ar-unsigned", forged + unsigned, {}, forged=2)

    # No signature at all, and a signature whose key does not exist (NXDOMAIN).
    add("unsigned", headers_7bit("unsigned", "none") + b"\r\n" + BODY, {})
    missing = Key("missing", "rsa", dkimpy_key=rsa.dkimpy_key)
    add("key-missing", sign(headers_7bit("key-missing", "relaxed/relaxed") + b"\r\n" + BODY,
                            missing, "relaxed/relaxed"), {"missing": "permerror"})
    return out


# --- reading what was delivered ---------------------------------------------------------------

def split_fields(message):
    """[(name, raw field bytes with its folding)] of the header block; LF or CRLF input."""
    head = re.split(rb"\r?\n\r?\n", message, maxsplit=1)[0]
    fields = []
    for line in re.split(rb"(?<=\n)", head + b"\n"):
        if not line.strip(b"\r\n"):
            continue
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1][1] += line
        else:
            fields.append([line.split(b":", 1)[0].strip().lower().decode("latin-1"), line])
    return [(name, raw.rstrip(b"\r\n")) for name, raw in fields]


def unfold(raw):
    return re.sub(rb"\r?\n(?=[ \t])", b"", raw).decode("utf-8", "replace")


def parse_ar(raw):
    """python3-authres: (authserv-id, [(method, result, {ptype.property: value})])."""
    parsed = authres.FeatureContext(authres.dmarc).parse(unfold(raw))
    return parsed.authserv_id, [(r.method, r.result, {f"{p.type}.{p.name}": p.value
                                                      for p in r.properties})
                                for r in parsed.results]


def authserv_id_of(raw):
    value = unfold(raw).split(":", 1)[1]
    value = re.sub(r"\([^)]*\)", " ", value)  # CFWS before the authserv-id
    return value.split(";", 1)[0].strip().strip('"').lower()


def our_results(message, authserv_ids=(AUTHSERV_ID,)):
    """(number of Authentication-Results fields carrying one of `authserv_ids`, the results
    of the first as {method: [result, ...]}, its text unfolded). Raises when python3-authres
    cannot parse it."""
    ids = {i.lower() for i in authserv_ids}
    ours = [raw for name, raw in split_fields(message)
            if name == "authentication-results" and authserv_id_of(raw) in ids]
    if not ours:
        return 0, {}, ""
    results = {}
    for method, result, _ in parse_ar(ours[0])[1]:
        results.setdefault(method, []).append(result)
    return len(ours), results, unfold(ours[0])
