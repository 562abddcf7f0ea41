#!/usr/bin/env python3
"""Makes the seed corpus of every fuzz target (docs/fuzzing.md) from data read in place:
the conformance suites (../shared/conformance: DKIM messages, RFC vectors, key zones, the
pyspf and stalwart SPF suites, the DMARC cases and zone, authentication_milter's messages)
and tests/data, plus the small hand-written seeds in fuzz/seeds/<target>/. Nothing here is
copied into the repository; the output directory is rebuilt on every run.

    make_seeds.py --conformance DIR --out DIR

Inputs are laid out as each target reads them; targets that take parameters from the end of
the input with FuzzedDataProvider get a tail of parameter bytes (fdp_tail) so the message or
body in front stays intact.
"""

import argparse
import base64
import binascii
import hashlib
import pathlib
import re
import shutil
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
MAX_MESSAGE = 64 * 1024


def key_der(record):
    """The p= of a DKIM key record, decoded: key_record_fuzz also reads its raw input as a DER
    RSA key (verifier/rsa_spki.h against OpenSSL's decoder). None when there is no key."""
    match = re.search(rb"(?:^|;)\s*p=([A-Za-z0-9+/=\s]+)", record)
    if not match:
        return None
    try:
        return base64.b64decode(re.sub(rb"\s", b"", match.group(1)), validate=True) or None
    except (binascii.Error, ValueError):
        return None


def read(path):
    try:
        return path.read_bytes()
    except OSError:
        return b""


def crlf(data):
    """LF-only text (YAML suites, stalwart, authmilter sources) as the CRLF mail it stands for."""
    return re.sub(rb"(?<!\r)\n", b"\r\n", data)


def messages(conformance):
    paths = sorted((ROOT / "tests/data/messages").glob("*.eml"))
    for pattern in ("dkim-rfc/*.eml", "dkim-corpus/corpus/*.txt", "stalwart/dkim/*.txt",
                    "stalwart/arc/*.txt", "authmilter/source/*.eml", "authmilter/expected/*.eml"):
        paths += sorted(conformance.glob(pattern))
    for path in paths:
        data = read(path)
        if data:
            yield crlf(data)[:MAX_MESSAGE]


def yaml_block_messages(text):
    """The `message: |` block scalars of the ARC suites' YAML, read line by line (no PyYAML
    needed; the validation file's duplicate keys do not matter for seeds)."""
    lines = text.split(b"\n")
    i = 0
    while i < len(lines):
        match = re.match(rb"^( *)message:\s*\|[-+]?\s*$", lines[i])
        i += 1
        if not match:
            continue
        indent, block_indent, block = len(match.group(1)), None, []
        while i < len(lines):
            line = lines[i]
            depth = len(line) - len(line.lstrip(b" "))
            if line.strip() and depth <= indent:
                break
            if line.strip() and block_indent is None:
                block_indent = depth
            block.append(line[min(depth, block_indent or 0):])
            i += 1
        yield b"\n".join(block).rstrip(b"\n") + b"\n"


def arc_messages(conformance):
    """The ARC suites' messages (validation, signing, Mail::DKIM's copy) as CRLF mail."""
    for path in sorted(conformance.glob("arc/**/*.yml")):
        for message in yaml_block_messages(read(path)):
            yield crlf(message)[:MAX_MESSAGE]


def split_message(message):
    """(header fields as (name, raw value), body) the way MessageParser splits a message."""
    head, _, body = message.partition(b"\r\n\r\n")
    fields = []
    for line in head.split(b"\r\n"):
        if line[:1] in (b" ", b"\t") and fields:
            name, value = fields[-1]
            fields[-1] = (name, value + b"\r\n" + line)
        elif b":" in line:
            name, _, value = line.partition(b":")
            fields.append((name, value))
    return fields, body


def zone_files(conformance):
    paths = [ROOT / "tests/data/zones/sample.zone"]
    paths += sorted(conformance.glob("*/*.zone")) + [conformance / "authmilter/zonefile.orig"]
    return [p for p in paths if p.is_file()]


def txt_values(zone_text):
    """The joined character-strings of every TXT record line of a zone file."""
    for line in zone_text.split(b"\n"):
        if re.search(rb"\sTXT\s", line):
            strings = re.findall(rb'"((?:[^"\\]|\\.)*)"', line)
            if strings:
                yield re.sub(rb"\\(.)", rb"\1", b"".join(strings))


def yaml_scalars(text):
    """Plain, single- and double-quoted scalars after '- TXT:' / '- SPF:' in the SPF suites."""
    for match in re.finditer(rb"-\s*(?:TXT|SPF):\s*(.+)", text):
        value = match.group(1).strip()
        items = re.findall(rb"'((?:[^']|'')*)'|\"((?:[^\"\\]|\\.)*)\"", value)
        if not items:
            yield value
        for single, double in items:
            if single:
                yield single.replace(b"''", b"'")
            else:
                yield double.decode("unicode_escape").encode("latin-1")  # "\xEF" escapes


def fdp_tail(consumed):
    """Bytes that FuzzedDataProvider hands out, in order, when it consumes from the end."""
    return bytes(reversed(consumed))


# RFC 7208 §7.4 examples and the suites' macro-strings.
MACROS = [b"%{s}", b"%{o}", b"%{d}", b"%{d4}", b"%{d3}", b"%{d2}", b"%{d1}", b"%{dr}", b"%{d2r}",
          b"%{l}", b"%{l-}", b"%{lr}", b"%{lr-}", b"%{l1r-}", b"%{ir}.%{v}._spf.%{d2}",
          b"%{lr-}.lp._spf.%{d2}", b"%{lr-}.lp.%{ir}.%{v}._spf.%{d2}",
          b"%{ir}.%{v}.%{l1r-}.lp._spf.%{d2}", b"%{d2}.trusted-domains.example.net",
          b"%{c} is not one of %{d}'s designated mail servers.", b"%{p}.%{h}.%{r}.%{t}",
          b"%{I}.%{S}", b"%%%_%-", b"%{i}._spf.%{d}."]
MACRO_VALUES = [b"strong-bad@email.example.com", b"strong-bad", b"email.example.com",
                b"email.example.com", b"mx.example.org", b"receiver.example.net", b"mx.example.org"]


def build(conformance, out):
    seeds = {}

    def add(target, data):
        if data:
            seeds.setdefault(target, set()).add(bytes(data))

    for message in arc_messages(conformance):
        # arc: the same 3 chunk sizes as dkim_message.
        add("arc_fuzz", message + fdp_tail([2, 0, 6, 0, 12, 0, 0]))
    for count, message in enumerate(messages(conformance)):
        # dkim_message: 3 chunk sizes (7, 13, 1), after the count byte.
        add("dkim_message_fuzz", message + fdp_tail([2, 0, 6, 0, 12, 0, 0]))
        # arc: every message with an ARC set, and a few without (the "none" path).
        if b"ARC-Seal" in message or count < 5:
            add("arc_fuzz", message + fdp_tail([2, 0, 6, 0, 12, 0, 0]))
        fields, body = split_message(message)
        for name, value in fields:
            add("header_canon_fuzz", name + b":" + value)
            lower = name.strip().lower()
            if lower == b"dkim-signature":
                add("signature_fuzz", value)
                add("tag_list_fuzz", value)
            elif lower in (b"arc-seal", b"arc-message-signature"):
                add("tag_list_fuzz", value)
            elif lower == b"from":
                add("from_domain_fuzz", value)
            elif lower == b"authentication-results":
                add("auth_results_fuzz", value)
        body = body[:8192]
        # body_hash: relaxed and simple, with and without l=, chunks of 1 and 5 and 2.
        add("body_hash_fuzz", body + fdp_tail([0, 2, 1, 5]))
        add("body_hash_fuzz", body + fdp_tail([5, 0x00, 0x40, 1, 3]))

    for path in zone_files(conformance):
        text = read(path)
        lines = text.split(b"\n")
        for i in range(0, len(lines), 20):
            add("zone_text_fuzz", b"\n".join(lines[i:i + 20]) + b"\n")
        for value in txt_values(text):
            if value.startswith(b"v=DMARC1"):
                add("dmarc_record_fuzz", value)
            elif value.lower().startswith(b"v=spf1"):
                add("spf_record_fuzz", value)
            else:
                add("key_record_fuzz", value)
                der = key_der(value)
                if der:
                    add("key_record_fuzz", der)
            add("tag_list_fuzz", value)

    suites = sorted(conformance.glob("spf/*.yml")) + sorted(conformance.glob("stalwart/spf/*.yml"))
    for path in suites:
        for value in yaml_scalars(read(path)):
            if value.lower().startswith(b"v=spf1"):
                add("spf_record_fuzz", value)
            if b"%" in value:
                MACROS.append(value)
    strings = b"".join(v + b"\\;" for v in MACRO_VALUES)
    for macro in MACROS:
        # spf_macro: values first, then the macro-string; from the end: context, v6, address.
        for context in (0, 1):
            add("spf_macro_fuzz", strings + macro + fdp_tail([context, 0, 192, 0, 2, 3] + [0] * 18))

    dmarc_cases = read(conformance / "dmarc/cases.tsv").decode("utf-8", "replace")
    for row in dmarc_cases.splitlines()[1:]:
        for record in re.findall(r'"(v=DMARC1[^"]*)"', row):
            add("dmarc_record_fuzz", record.encode())
        columns = row.split("\t")
        if len(columns) > 1:
            add("from_domain_fuzz", b" Author <author@" + columns[1].encode() + b">")

    add_dns_replies(conformance, add)

    for target_dir in sorted((ROOT / "fuzz/seeds").glob("*")):
        for path in sorted(target_dir.iterdir()):
            add(target_dir.name, read(path))

    if out.exists():
        shutil.rmtree(out)
    for target, items in sorted(seeds.items()):
        directory = out / target
        directory.mkdir(parents=True)
        for data in items:
            (directory / hashlib.sha1(data).hexdigest()).write_bytes(data)
        print(f"make_seeds: {target}: {len(items)} seeds", file=sys.stderr)


def add_dns_replies(conformance, add):
    """Wire-format replies (dnspython) for the TXT records of the zones, and the shapes the
    network resolver must handle: CNAME chains, NXDOMAIN with an SOA, SERVFAIL, truncation."""
    try:
        import dns.flags
        import dns.message
        import dns.rcode
        import dns.rrset
    except ImportError:
        print("make_seeds: no dnspython, dns_reply_fuzz keeps its hand-written seeds",
              file=sys.stderr)
        return
    names = []
    for path in zone_files(conformance):
        for line in read(path).split(b"\n"):
            match = re.match(rb"(\S+)\s+(?:\d+\s+)?(?:IN\s+)?TXT\s", line)
            if match and len(names) < 60:
                names.append((match.group(1).decode("latin-1"), line))

    def reply(qname, qtype, answers=(), rcode=0, authority=(), tc=False):
        query = dns.message.make_query(qname, qtype, want_dnssec=False)
        query.id = 0x6b6e  # fixed, so the seeds are the same on every run
        response = dns.message.make_response(query)
        response.set_rcode(rcode)
        if tc:
            response.flags |= dns.flags.TC
        for rrset in answers:
            response.answer.append(rrset)
        for rrset in authority:
            response.authority.append(rrset)
        return response.to_wire()

    soa = dns.rrset.from_text("example.org.", 3600, "IN", "SOA",
                              "ns.example.org. host.example.org. 1 7200 3600 1209600 300")
    for name, line in names:
        strings = re.findall(rb'"(?:[^"\\]|\\.)*"', line)
        try:
            # One record of several character-strings, as in the zone line.
            rdata = " ".join(s.decode("latin-1") for s in strings)
            txt = dns.rrset.from_text(name, 300, "IN", "TXT", rdata)
            add("dns_reply_fuzz", reply(name, "TXT", [txt]))
            alias = "alias." + name
            cname = dns.rrset.from_text(alias, 60, "IN", "CNAME", name)
            add("dns_reply_fuzz", reply(alias, "TXT", [cname, txt]))
            add("dns_reply_fuzz", reply(alias, "TXT", [cname]))
        except Exception:  # a record dnspython will not take is no seed
            continue
    add("dns_reply_fuzz",
        reply("missing.example.org.", "TXT", rcode=dns.rcode.NXDOMAIN, authority=[soa]))
    add("dns_reply_fuzz", reply("empty.example.org.", "TXT", authority=[soa]))
    add("dns_reply_fuzz", reply("broken.example.org.", "TXT", rcode=dns.rcode.SERVFAIL))
    add("dns_reply_fuzz", reply("big.example.org.", "TXT", tc=True))
    for qtype, data in (("A", "192.0.2.1"), ("AAAA", "2001:db8::1"), ("MX", "10 mx.example.org."),
                        ("PTR", "host.example.org.")):
        rrset = dns.rrset.from_text("example.org.", 300, "IN", qtype, data)
        add("dns_reply_fuzz", reply("example.org.", qtype, [rrset]))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conformance", type=pathlib.Path, required=True)
    parser.add_argument("--out", type=pathlib.Path, required=True)
    args = parser.parse_args()
    if not args.conformance.is_dir():
        print(f"make_seeds: no conformance data at {args.conformance}; tests/data only",
              file=sys.stderr)
    build(args.conformance, args.out)


if __name__ == "__main__":
    main()
