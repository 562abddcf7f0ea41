#!/usr/bin/python3
"""Interop between kenin and dkimpy (Debian python3-dkim), in both directions.

1. dkimpy signs, kenin verifies: {rsa-sha256 1024, rsa-sha256 2048, ed25519-sha256} x the four
   c= pairs x {no l=, l=} over messages with folded headers, whitespace runs, trailing
   whitespace, trailing blank lines, 8-bit UTF-8 headers and body, LF line endings, an empty
   body. Every signature must be `pass`.
2. Tampered copies of the main message under each of those signatures, each with the answer RFC 6376 requires; dkimpy is run on
   the same copy as a second opinion and must agree.
3. kenin signs, dkimpy verifies, over the same matrix; rsa-sha1 from either signer verifies
   with dkimpy but is `permerror` in kenin (RFC 8301) unless --allow-rsa-sha1.
4. Three signatures (two by dkimpy, one by kenin) on one message, all reported and passing.
5. One input where dkimpy departs from RFC 6376 §3.4.4 (trailing WSP on an unterminated last
   body line): kenin is checked against the RFC reading, dkimpy's answer only printed.

Keys come from `kenin keygen` (its zone lines are the zone file kenin reads and the TXT data
dkimpy's dnsfunc returns). Clocks are fixed: dkimpy's `time` is replaced by a constant clock and
kenin gets --now, so nothing depends on when the test runs.

Run with /usr/bin/python3 (the interpreter that sees python3-dkim):
    dkimpy_interop.py --kenin build/tools/kenin [--keep]
Prints one line per case and "N passed, M failed"; exits 1 on any failure.
"""

import argparse
import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

import dkim

T_SIGN = 1700000000  # t= of every signature
NOW = T_SIGN + 3600  # the verifiers' clock: an hour later, well inside any skew or x=
DOMAIN = "example.com"


class _FixedClock:
    """Stands in for the `time` module inside dkim: t= on signing, t=/x= checks on verifying."""

    @staticmethod
    def time():
        return float(T_SIGN)


dkim.time = _FixedClock

CANONS = ["simple/simple", "simple/relaxed", "relaxed/simple", "relaxed/relaxed"]


# --- messages ---------------------------------------------------------------------------------

def crlf(text):
    return text.replace(b"\n", b"\r\n")


# The main message: folded To and Subject, runs of SP and HTAB in headers and body, trailing
# whitespace in headers and body, a raw 8-bit UTF-8 Subject and body, a header without a space
# after the colon, a whitespace-only line and trailing blank lines at the end of the body
# (simple keeps the whitespace-only line, relaxed drops it with the empty lines after it).
MSG_MAIN = crlf(
    b"Received: from mail.example.com (mail.example.com [192.0.2.1])\n"
    b"\tby mx.example.org with ESMTPS; Tue, 14 Nov 2023 22:13:20 +0000\n"
    b"From: Emil Example <emil@example.com>\n"
    b"To: Bob Example <bob@example.org>,\n"
    b"\tCarol Example <carol@example.org>,\n"
    b"    dave@example.org\n"
    b"Subject:  Gr\xc3\xbc\xc3\x9fe   aus K\xc3\xb6ln \xe2\x80\x94\t\xe6\xa4\x9c\xe5\x8d\xb0  \n"
    b" und   weiter\t \n"
    b"Date: Tue, 14 Nov 2023 22:13:20 +0000\n"
    b"Message-ID: <interop-main@example.com>\n"
    b"MIME-Version: 1.0\n"
    b"Content-Type: text/plain; charset=utf-8\n"
    b"Content-Transfer-Encoding: 8bit\n"
    b"X-Mailer:kenin-interop   \n"
    b"\n"
    b"Hello Bob,   \n"
    b"\n"
    b"This  line has\t\truns of   whitespace.\n"
    b"Trailing spaces here:    \n"
    b"Trailing tab here:\t\n"
    b" Leading space line\n"
    b"\xc3\x9cmlaute im Text: Gr\xc3\xbc\xc3\x9fe, \xe6\xa4\x9c\xe5\x8d\xb0\n"
    b"\n"
    b"-- \n"
    b"Emil\n"
    b"\n"
    b"\n"
    b"   \n"
    b"\n"
    b"\n")

# LF line endings throughout (kenin reads LF files as CRLF, dkimpy parses either), a folded
# header with only a tab on the continuation, and a last body line with no line break at all
# (both canonicalizations add the CRLF, RFC 6376 §3.4.3/4). That last line ends in a non-WSP
# octet on purpose: see unterminated_last_line() for trailing WSP there.
MSG_LF = (
    b"From: lf@example.com\n"
    b"To: someone@example.org\n"
    b"Subject: Unix line\n"
    b"\tendings\n"
    b"Date: Wed, 15 Nov 2023 08:00:00 +0000\n"
    b"Message-ID: <interop-lf@example.com>\n"
    b"\n"
    b"first line \t\n"
    b"\n"
    b"  last line \t without a line break.")

# An empty body: simple canonicalizes it to one CRLF, relaxed to nothing (RFC 6376 §3.4.3/4),
# so l= is 2 or 0.
MSG_EMPTY = crlf(
    b"From: empty@example.com\n"
    b"To: someone@example.org\n"
    b"Subject: nothing to see\n"
    b"Date: Wed, 15 Nov 2023 09:00:00 +0000\n"
    b"\n"
    b"\n"
    b"\n")

MESSAGES = [("main", MSG_MAIN), ("lf", MSG_LF), ("empty", MSG_EMPTY)]


# --- keys -------------------------------------------------------------------------------------

def der_read(data, pos):
    """One DER TLV at pos: (tag, contents, position after it)."""
    tag, length = data[pos], data[pos + 1]
    pos += 2
    if length & 0x80:
        count = length & 0x7F
        length = int.from_bytes(data[pos:pos + count], "big")
        pos += count
    return tag, data[pos:pos + length], pos + length


def pkcs8_private_key(pem_text):
    """The privateKey OCTET STRING of a PKCS#8 PrivateKeyInfo (RFC 5958), as `kenin keygen`
    writes it: the RSAPrivateKey DER for RSA, a CurvePrivateKey (OCTET STRING seed) for
    Ed25519."""
    body = b"".join(line for line in pem_text.splitlines() if not line.startswith(b"-----"))
    der = base64.b64decode(body)
    tag, info, _ = der_read(der, 0)
    assert tag == 0x30, "PrivateKeyInfo is not a SEQUENCE"
    tag, _, pos = der_read(info, 0)  # version
    assert tag == 0x02
    tag, _, pos = der_read(info, pos)  # privateKeyAlgorithm
    assert tag == 0x30
    tag, private_key, _ = der_read(info, pos)
    assert tag == 0x04
    return private_key


def dkimpy_rsa_key(pem_text):
    """dkimpy parses only PKCS#1 "RSA PRIVATE KEY" PEM (dkim.crypto.parse_pem_private_key)."""
    b64 = base64.encodebytes(pkcs8_private_key(pem_text))
    return b"-----BEGIN RSA PRIVATE KEY-----\n" + b64 + b"-----END RSA PRIVATE KEY-----\n"


def dkimpy_ed25519_key(pem_text):
    """dkimpy wants the base64 of the raw 32-byte Ed25519 seed (nacl.signing.SigningKey)."""
    tag, seed, _ = der_read(pkcs8_private_key(pem_text), 0)
    assert tag == 0x04 and len(seed) == 32
    return base64.b64encode(seed)


class Key:
    def __init__(self, name, kind, bits, algorithm, workdir, kenin):
        self.name = name
        self.kind = kind
        self.bits = bits
        self.algorithm = algorithm
        self.selector = name
        self.pem_path = os.path.join(workdir, name + ".pem")
        args = [kenin, "keygen", "--type", kind, "-s", self.selector, "-d", DOMAIN,
                "-o", self.pem_path]
        if kind == "rsa":
            args += ["--bits", str(bits)]
        self.zone_line = subprocess.run(args, check=True, capture_output=True,
                                        text=True).stdout.strip()
        with open(self.pem_path, "rb") as f:
            pem = f.read()
        self.dkimpy_key = dkimpy_rsa_key(pem) if kind == "rsa" else dkimpy_ed25519_key(pem)


def txt_records(zone_text):
    """name -> TXT data with its strings joined (RFC 6376 §3.6.2.2), from zone lines."""
    records = {}
    for line in zone_text.splitlines():
        fields = line.split(None, 4)
        if len(fields) == 5 and fields[3] == "TXT":
            strings = re.findall(r'"((?:[^"\\]|\\.)*)"', fields[4])
            records[fields[0].lower()] = "".join(
                re.sub(r"\\(.)", r"\1", s) for s in strings).encode()
    return records


# --- running the two verifiers ----------------------------------------------------------------

class Env:
    def __init__(self, kenin, workdir):
        self.kenin = kenin
        self.workdir = workdir
        self.keys = {
            "rsa1024": Key("rsa1024", "rsa", 1024, b"rsa-sha256", workdir, kenin),
            "rsa2048": Key("rsa2048", "rsa", 2048, b"rsa-sha256", workdir, kenin),
            "ed25519": Key("ed25519", "ed25519", 256, b"ed25519-sha256", workdir, kenin),
        }
        zone = "".join(k.zone_line + "\n" for k in self.keys.values())
        self.zone_path = os.path.join(workdir, "keys.zone")
        with open(self.zone_path, "w") as f:
            f.write(zone)
        self.txt = txt_records(zone)
        self.counter = 0

    def dnsfunc(self, name, timeout=5):
        return self.txt.get(name.decode().lower())

    def write(self, data):
        self.counter += 1
        path = os.path.join(self.workdir, "m%04d.eml" % self.counter)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def kenin_verify(self, messages, extra=()):
        """kenin verify over all messages in one run; the `dkim` list of each, in order."""
        paths = [self.write(m) for m in messages]
        out = subprocess.run([self.kenin, "verify", "--zone", self.zone_path, "--format", "json",
                              "--now", str(NOW), *extra, *paths],
                             check=True, capture_output=True, text=True).stdout
        reports = [json.loads(line) for line in out.splitlines()]
        assert [r["file"] for r in reports] == paths, "kenin verify output out of order"
        return [r["dkim"] for r in reports]

    def dkimpy_verify(self, message):
        """(verified, reason) for the topmost DKIM-Signature."""
        d = dkim.DKIM(message, minkey=1024)
        try:
            ok = d.verify(dnsfunc=self.dnsfunc)
            return ok, "" if ok else "signature did not verify"
        except dkim.DKIMException as e:
            return False, str(e)

    def dkimpy_sign(self, message, key, canon, length, algorithm=None):
        header_canon, body_canon = canon.encode().split(b"/")
        return dkim.sign(message, key.selector.encode(), DOMAIN.encode(), key.dkimpy_key,
                         canonicalize=(header_canon, body_canon),
                         signature_algorithm=algorithm or key.algorithm, length=length,
                         linesep=b"\r\n" if b"\r\n" in message else b"\n")

    def kenin_sign(self, message, key, canon, length, algorithm=None, extra=()):
        path = self.write(message)
        args = [self.kenin, "sign", "-k", key.pem_path, "-d", DOMAIN, "-s", key.selector,
                "-a", (algorithm or key.algorithm).decode(), "-c", canon,
                "--timestamp", str(T_SIGN), *extra]
        if length:
            args.append("-l")
        return subprocess.run(args + [path], check=True, capture_output=True).stdout


class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, detail):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
        print("%-4s %s: %s" % ("ok" if ok else "FAIL", name, detail), flush=True)


def sig_tags(signed):
    """Tags of the topmost DKIM-Signature of a signed message."""
    d = dkim.DKIM(signed)
    value = next(v for n, v in d.headers if n.lower() == b"dkim-signature")
    return dkim.util.parse_tag_value(value)


def h_names(tags):
    return [n.strip().lower().decode() for n in tags[b"h"].split(b":")]


# --- 1. dkimpy signs, kenin verifies ----------------------------------------------------------

def matrix():
    for key_name in ("rsa1024", "rsa2048", "ed25519"):
        for canon in CANONS:
            for length in (False, True):
                yield key_name, canon, length


def label(key_name, canon, length):
    return "%s %s %s" % (key_name, canon, "l=" if length else "no-l")


def dkimpy_signs(env, tally):
    signed = {}
    for msg_name, msg in MESSAGES:
        for key_name, canon, length in matrix():
            key = env.keys[key_name]
            signed[(msg_name, key_name, canon, length)] = (
                env.dkimpy_sign(msg, key, canon, length) + msg)
    names = list(signed)
    verdicts = env.kenin_verify([signed[n] for n in names])
    for (msg_name, key_name, canon, length), dkim_list in zip(names, verdicts):
        key = env.keys[key_name]
        tags = sig_tags(signed[(msg_name, key_name, canon, length)])
        v = dkim_list[0] if len(dkim_list) == 1 else {}
        ok = (v.get("result") == "pass" and v.get("algorithm") == key.algorithm.decode()
              and v.get("selector") == key.selector and v.get("domain") == DOMAIN
              and v.get("key_bits") == key.bits and v.get("body_truncated") is False
              and (b"l" in tags) == length)
        tally.check("dkimpy->kenin %s %s" % (msg_name, label(key_name, canon, length)), ok,
                    "kenin %s%s" % (v.get("result"), " (%s)" % v["reason"] if v.get("reason")
                                    else "") if v else "kenin gave %r" % dkim_list)
    return signed


# --- 2. tampered copies -----------------------------------------------------------------------

def split_message(message):
    cut = message.index(b"\r\n\r\n") + 2
    return message[:cut], message[cut:]  # header section with its last CRLF; blank line + body


def replace_once(data, old, new):
    assert data.count(old) == 1, "tamper anchor %r not unique" % old
    return data.replace(old, new)


def tamper_header(message, old, new):
    head, rest = split_message(message)
    return replace_once(head, old, new) + rest


def tamper_body(message, old, new):
    head, rest = split_message(message)
    return head + replace_once(rest, old, new)


def insert_header_before(message, anchor, field):
    head, rest = split_message(message)
    return replace_once(head, b"\r\n" + anchor, b"\r\n" + field + anchor) + rest


def tamper_cases(signed, tags):
    """(name, tampered message, expected kenin result, expected body_truncated)."""
    header_canon, body_canon = tags.get(b"c", b"simple/simple").split(b"/")
    relaxed_h = header_canon == b"relaxed"
    relaxed_b = body_canon == b"relaxed"
    has_l = b"l" in tags
    names = h_names(tags)
    assert "subject" in names and "to" in names, "dkimpy did not sign Subject and To: %r" % names
    yes = "pass"

    # (a) a signed header's value changed: fail under either canonicalization.
    yield ("a.header-value", tamper_header(signed, b"aus K\xc3\xb6ln", b"aus Bonn"), "fail", False)
    # Whitespace-only edits of a signed header: relaxed (RFC 6376 §3.4.2) unfolds, reduces WSP
    # runs to one SP, strips WSP at the end of the value and lowercases the name, so it still
    # passes; simple (§3.4.1) hashes the bytes as they were and fails.
    ws = yes if relaxed_h else "fail"
    yield ("a.header-wsp-run", tamper_header(signed, b"\xc3\x9fe   aus", b"\xc3\x9fe \t aus"),
           ws, False)
    yield ("a.header-name-case", tamper_header(signed, b"\r\nSubject:", b"\r\nSUBJECT:"), ws,
           False)
    yield ("a.header-refolded", tamper_header(signed, b"<bob@example.org>,\r\n\tCarol",
                                              b"<bob@example.org>, Carol"), ws, False)

    # (b) a body line changed inside the signed part: fail, with or without l=.
    yield ("b.body-line", tamper_body(signed, b"Hello Bob,", b"Hello Eve,"), "fail", False)
    # Whitespace-only body edit: relaxed ignores WSP at line ends (§3.4.4), simple does not.
    yield ("b.body-trailing-wsp", tamper_body(signed, b"Hello Bob,   \r\n", b"Hello Bob, \t\r\n"),
           yes if relaxed_b else "fail", False)
    # More empty lines at the end: both body canonicalizations ignore them (§3.4.3, §3.4.4).
    yield ("b.body-more-blank-lines", signed + b"\r\n\r\n\r\n", yes, False)

    # (c) fields added that are not in h=: not hashed, so still pass (§5.4).
    assert "x-added-by-relay" not in names and "received" not in names
    yield ("c.unsigned-headers",
           b"Received: from relay.example.net by mx.example.org; Tue, 14 Nov 2023 23:00:00"
           b" +0000\r\nX-Added-By-Relay: yes\r\n" + signed, yes, False)

    # (d) a second instance of a signed field. RFC 6376 §5.4.2: the i-th listing of a name in
    # h= takes the i-th instance counted from the BOTTOM of the header; a listing with no
    # instance left hashes nothing. The original message has one Subject and one From.
    # - A forged Subject inserted ABOVE the original: if h= lists subject once, the bottom
    #   instance (the original) is the one hashed, the forgery is not, and the signature still
    #   passes (as the RFC intends; DMARC/MUAs must cope with duplicates). Only if h= lists
    #   subject more times than it occurred (oversigning) does the extra listing now pick up
    #   the forgery and fail.
    subject_listings = names.count("subject")
    yield ("d.second-subject-above",
           insert_header_before(signed, b"Subject:", b"Subject: Forged subject\r\n"),
           "fail" if subject_listings > 1 else yes, False)
    # - A forged Subject inserted BELOW the original becomes the bottom instance, which is the
    #   one the first listing hashes: fail whatever h= says.
    head, rest = split_message(signed)
    yield ("d.second-subject-below", head + b"Subject: Forged subject\r\n" + rest, "fail", False)
    # - dkimpy oversigns From by default (DKIM.FROZEN): h= lists from twice for one From, so a
    #   second From anywhere is picked up by the second listing and the signature fails.
    from_listings = names.count("from")
    yield ("d.second-from-above",
           insert_header_before(signed, b"From:", b"From: forged@example.net\r\n"),
           "fail" if from_listings > 1 else yes, False)

    # (e) content appended after the body. With l= only the first l canonical octets are hashed
    # (§3.5, §8.2): the signature verifies (dkimpy: pass) and kenin reports body_truncated,
    # with the result `policy` by default ([dkim] unsigned_body, check_tampered). Without l=: fail.
    appended = signed + b"--\r\nUnsigned footer appended by a mailing list\r\n"
    yield ("e.body-appended", appended, yes if has_l else "fail", has_l)


def check_tampered(env, tally, signed):
    cases = []
    for key_name, canon, length in matrix():
        message = signed[("main", key_name, canon, length)]
        tags = sig_tags(message)
        for name, tampered, expected, truncated in tamper_cases(message, tags):
            cases.append((label(key_name, canon, length), name, tampered, expected, truncated))
    verdicts = env.kenin_verify([c[2] for c in cases])
    for (lab, name, tampered, expected, truncated), dkim_list in zip(cases, verdicts):
        v = dkim_list[0] if len(dkim_list) == 1 else {}
        py_ok, py_reason = env.dkimpy_verify(tampered)
        py_result = "pass" if py_ok else "fail"
        # A pass with unsigned content after l= is `policy` under kenin's default local policy
        # (docs/security.md "l="); tests/integration/unsigned_body.py covers the choices.
        kenin_expected = "policy" if truncated else expected
        ok = (v.get("result") == kenin_expected and py_result == expected
              and (expected != "pass" or v.get("body_truncated") is truncated))
        detail = "expected %s%s; kenin %s%s; dkimpy %s%s" % (
            expected if kenin_expected == expected else "%s (kenin %s)" % (expected, kenin_expected),
            " body_truncated" if truncated else "", v.get("result"),
            " (%s)" % v["reason"] if v.get("reason") else
            (" body_truncated" if v.get("body_truncated") else ""),
            py_result, " (%s)" % py_reason if py_reason and py_result != expected else "")
        tally.check("tampered %s %s" % (lab, name), ok, detail)


# --- 3. kenin signs, dkimpy verifies ----------------------------------------------------------

def kenin_signs(env, tally):
    signed = {}
    for msg_name, msg in MESSAGES:
        for key_name, canon, length in matrix():
            signed[(msg_name, key_name, canon, length)] = env.kenin_sign(
                msg, env.keys[key_name], canon, length)
    names = list(signed)
    kenin_verdicts = env.kenin_verify([signed[n] for n in names])
    for (msg_name, key_name, canon, length), dkim_list in zip(names, kenin_verdicts):
        message = signed[(msg_name, key_name, canon, length)]
        tags = sig_tags(message)
        py_ok, py_reason = env.dkimpy_verify(message)
        v = dkim_list[0] if len(dkim_list) == 1 else {}
        ok = (py_ok and v.get("result") == "pass" and (b"l" in tags) == length
              and tags.get(b"c") == canon.encode() and tags.get(b"t") == str(T_SIGN).encode())
        tally.check("kenin->dkimpy %s %s" % (msg_name, label(key_name, canon, length)), ok,
                    "dkimpy %s%s; kenin self-check %s" % (
                        "pass" if py_ok else "fail", " (%s)" % py_reason if py_reason else "",
                        v.get("result")))

    # Options beyond the matrix: explicit h= with oversigned From and Subject, i=, x=.
    key = env.keys["rsa2048"]
    message = env.kenin_sign(MSG_MAIN, key, "relaxed/relaxed", False,
                             extra=["--headers", "from:to:subject:date:from:subject",
                                    "-i", "emil@example.com", "--expire-after", "86400"])
    tags = sig_tags(message)
    py_ok, py_reason = env.dkimpy_verify(message)
    forged = insert_header_before(message, b"Subject:", b"Subject: Forged subject\r\n")
    py_forged, _ = env.dkimpy_verify(forged)
    v, v_forged = [d[0] for d in env.kenin_verify([message, forged])]
    ok = (py_ok and v["result"] == "pass" and v["identity"] == "emil@example.com"
          and tags.get(b"x") == str(T_SIGN + 86400).encode() and not py_forged
          and v_forged["result"] == "fail")
    tally.check("kenin->dkimpy rsa2048 relaxed/relaxed oversigned h= i= x=", ok,
                "dkimpy %s%s, kenin %s; with a Subject added above: dkimpy %s, kenin %s" % (
                    "pass" if py_ok else "fail", " (%s)" % py_reason if py_reason else "",
                    v["result"], "pass" if py_forged else "fail", v_forged["result"]))


# --- rsa-sha1 (RFC 8301) ----------------------------------------------------------------------

def rsa_sha1(env, tally):
    key = env.keys["rsa2048"]
    cases = []
    for canon in ("simple/simple", "relaxed/relaxed"):
        cases.append(("kenin-signed " + canon,
                      env.kenin_sign(MSG_MAIN, key, canon, False, algorithm=b"rsa-sha1")))
        cases.append(("dkimpy-signed " + canon,
                      env.dkimpy_sign(MSG_MAIN, key, canon, False, algorithm=b"rsa-sha1")
                      + MSG_MAIN))
    strict = env.kenin_verify([m for _, m in cases])
    allowed = env.kenin_verify([m for _, m in cases], extra=["--allow-rsa-sha1"])
    for (name, message), v, v_allowed in zip(cases, strict, allowed):
        v, v_allowed = v[0], v_allowed[0]
        py_ok, py_reason = env.dkimpy_verify(message)
        # RFC 8301 §3.1: verifiers MUST NOT consider rsa-sha1 signatures valid. dkimpy still
        # accepts them; kenin says permerror, and pass only with the conformance switch (which
        # shows the signature itself is sound).
        ok = (sig_tags(message)[b"a"] == b"rsa-sha1" and py_ok and v["result"] == "permerror"
              and v["reason"] != "" and v_allowed["result"] == "pass")
        tally.check("rsa-sha1 %s" % name, ok,
                    "dkimpy %s%s; kenin %s (%s); kenin --allow-rsa-sha1 %s" % (
                        "pass" if py_ok else "fail", " (%s)" % py_reason if py_reason else "",
                        v["result"], v["reason"], v_allowed["result"]))


# --- several signatures on one message ---------------------------------------------------------

def dual_signed(env, tally):
    """RSA and Ed25519 side by side (RFC 8463 §4 expects signers to add both) and a third by
    kenin on top: kenin reports one verdict per field, top first; dkimpy checks each by index."""
    message = MSG_MAIN
    for key_name in ("rsa2048", "ed25519"):
        message = env.dkimpy_sign(message, env.keys[key_name], "relaxed/relaxed", False) + message
    message = env.kenin_sign(message, env.keys["rsa1024"], "simple/simple", True)
    verdicts = env.kenin_verify([message])[0]
    d = dkim.DKIM(message, minkey=1024)
    py = [d.verify(idx=i, dnsfunc=env.dnsfunc) for i in range(3)]
    got = [(v["result"], v["selector"]) for v in verdicts]
    want = [("pass", "rsa1024"), ("pass", "ed25519"), ("pass", "rsa2048")]
    tally.check("three signatures on one message", got == want and all(py),
                "kenin %s; dkimpy %s" % (got, py))


# --- relaxed body: trailing WSP on an unterminated last line ----------------------------------

def unterminated_last_line(env, tally):
    """A body whose last line has trailing WSP and no CRLF (only possible in files or non-SMTP
    transport). RFC 6376 §3.4.4 (a) ignores WSP at the end of lines, then (b) adds the missing
    CRLF, so relaxed gives "last line\r\n"; Mail::DKIM (Canonicalization/relaxed.pm) reads it
    so too. dkimpy strips WSP only before a CRLF and keeps "last line \r\n", so the two
    disagree on this one input: kenin is checked against the RFC reading computed here, and
    dkimpy's view is printed, not asserted."""
    message = crlf(b"From: unterminated@example.com\nSubject: trailing wsp\n\n"
                   b"first  line\n") + b"last line \t "
    reference = b"first line\r\nlast line\r\n"
    expected_bh = base64.b64encode(hashlib.sha256(reference).digest())
    signed = env.kenin_sign(message, env.keys["rsa2048"], "relaxed/relaxed", False)
    bh = re.sub(rb"\s+", b"", sig_tags(signed)[b"bh"])
    v = env.kenin_verify([signed])[0][0]
    py_ok, py_reason = env.dkimpy_verify(signed)
    tally.check("relaxed body, unterminated last line with trailing WSP",
                bh == expected_bh and v["result"] == "pass",
                "kenin bh=%s, RFC reading %s; kenin verify %s; (note, not asserted: dkimpy %s%s)"
                % (bh.decode(), expected_bh.decode(), v["result"], "pass" if py_ok else "fail",
                   " - " + py_reason[:40] if py_reason else ""))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kenin", required=True, help="path of the kenin binary")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()

    tally = Tally()
    workdir = tempfile.mkdtemp(prefix="kenin-dkimpy-")
    try:
        env = Env(os.path.abspath(args.kenin), workdir)
        signed = {}
        sections = [
            ("dkimpy signs", lambda: signed.update(dkimpy_signs(env, tally))),
            ("tampered", lambda: check_tampered(env, tally, signed)),
            ("kenin signs", lambda: kenin_signs(env, tally)),
            ("rsa-sha1", lambda: rsa_sha1(env, tally)),
            ("several signatures", lambda: dual_signed(env, tally)),
            ("unterminated last line", lambda: unterminated_last_line(env, tally)),
        ]
        for name, run in sections:
            try:
                run()
            except (AssertionError, KeyError, IndexError, ValueError,
                    subprocess.CalledProcessError, dkim.DKIMException) as e:
                # A crash of either side is a failed case, and the summary line still comes.
                stderr = getattr(e, "stderr", None)
                tally.check("section " + name, False, "%s: %s%s" % (
                    type(e).__name__, e, " / " + stderr.strip()[:200] if stderr else ""))
    finally:
        if args.keep:
            print("kept %s" % workdir)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print("%d passed, %d failed" % (tally.passed, tally.failed))
    return 1 if tally.failed else 0


if __name__ == "__main__":
    sys.exit(main())
