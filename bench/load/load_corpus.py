"""The messages of the load benchmark and the DNS records they need.

The mix is issue 7's: 60% of the messages have a ~2 KB body, 30% ~20 KB, 10% ~200 KB; each
signature uses rsa-2048 (80%), rsa-1024 (12%) or ed25519 (8%); 21% of the messages carry two
signatures (the second simple/simple, so a verifier hashes the body twice; the first is
relaxed/relaxed). Every signature has d= the From domain, which also publishes its DMARC record,
and the MAIL FROM is in that domain, whose SPF record allows 127.0.0.0/8: with a correct
verifier every message is dkim=pass, spf=pass, dmarc=pass. Messages are spread over
`domains` sender domains d00000.kenin-load.example, d00001...; each publishes the three keys.

The choices depend only on the seed; the keys (so b=) are new every run. dkimpy signs
(tests/e2e/messages.py, the end-to-end tests' signer), on every core.
"""
import multiprocessing
import os
import random
import sys
from dataclasses import dataclass

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "e2e"))
sys.path.insert(0, os.path.join(HERE, "..", "..", "tests", "integration"))
import messages  # noqa: E402  (tests/e2e: keys, headers, dkimpy signing)

# Not under .test: libunbound (opendkim's resolver) answers that zone itself (RFC 6761).
ZONE = "example."                      # what the DNS server is authoritative for
BASE = "kenin-load.example"
AUTHSERV_ID = "mx.kenin-load.example"  # of kenind, opendkim and opendmarc alike
HELO = "client.kenin-load.example"
SIZES = ((0.6, 2 * 1024), (0.3, 20 * 1024), (0.1, 200 * 1024))
SELECTORS = ((0.80, "rsa2048"), (0.12, "rsa1024"), (0.08, "ed25519"))
TWO_SIGNATURES = 0.21
SPF = "v=spf1 ip4:127.0.0.0/8 -all"
DMARC = "v=DMARC1; p=none"
WORDS = ("the of and to in is that for it as with was on be by this are from at or an have not "
         "they which one you were all we there can been has more if will would who so what its "
         "about into than them only other new some could these two may first then do any like "
         "my now over such our man me even most made after also did many before must through "
         "back years where much your way well down should because each just those people how "
         "too little state good very make world still own see men work long get here between "
         "both life being under never day same another know while last might us great old "
         "year off come since against go came right used take three invoice shipment meeting "
         "report quarterly schedule attached regards thanks please review budget").split()


@dataclass
class Item:
    """One message: envelope, wire bytes (CRLF, dot-stuffed, no final "."), what signed it."""
    name: str
    mail_from: str
    rcpt: str
    wire: bytes
    selectors: tuple
    body_size: int


def make_keys(kenin):
    """{selector: messages.Key}: the three keys every domain publishes."""
    return {"rsa2048": messages.make_key(kenin, "rsa2048", "rsa"),
            "rsa1024": messages.make_key(kenin, "rsa1024", "rsa", bits=1024),
            "ed25519": messages.make_key(kenin, "ed25519", "ed25519")}


def domain(number):
    return f"d{number:05d}.{BASE}"


def dns_records(keys, domain_count):
    """[[name, "TXT", [value]]] for dns_server.py: keys, DMARC and SPF of every domain, and the
    SPF record of the HELO name (libspf2 may check it)."""
    out = [[f"{HELO}.", "TXT", [SPF]]]
    for number in range(domain_count):
        d = domain(number)
        out += [[f"{k.selector}._domainkey.{d}.", "TXT", [k.txt]] for k in keys.values()]
        out += [[f"_dmarc.{d}.", "TXT", [DMARC]], [f"{d}.", "TXT", [SPF]]]
    return out


def pick(rng, table):
    x, total = rng.random(), 0.0
    for share, value in table:
        total += share
        if x < total:
            return value
    return table[-1][1]


def body(rng, lines, size):
    """Text of exactly `size` octets: ~70-octet CRLF lines, a blank line now and then."""
    out, length = [], 0
    while length < size:
        line = rng.choice(lines) if rng.random() > 0.1 else b"\r\n"
        out.append(line)
        length += len(line)
    text = b"".join(out)[:size - 2]
    return text.rstrip(b"\r\n") + b"\r\n" if size > 2 else b"\r\n"


def text_lines(rng, count=4000):
    """A pool of ~70-octet lines of words, some with trailing spaces or a tab."""
    lines = []
    for _ in range(count):
        words, length = [], 0
        while length < rng.randint(55, 74):
            word = rng.choice(WORDS)
            words.append(word)
            length += len(word) + 1
        line = " ".join(words)
        if rng.random() < 0.05:
            line += "  "
        if rng.random() < 0.05:
            line = line.replace(" ", "\t", 1)
        lines.append(line.encode() + b"\r\n")
    return lines


def dot_stuff(data):
    """SMTP transparency (RFC 5321 §4.5.2) for `data` ending in CRLF."""
    stuffed = data.replace(b"\r\n.", b"\r\n..")
    return b"." + stuffed if stuffed.startswith(b".") else stuffed


def plan(count, domain_count, seed, prefix):
    """[(name, domain, body size, selectors, body seed)] for `count` messages."""
    rng = random.Random(seed)
    out = []
    for i in range(count):
        selectors = [pick(rng, SELECTORS)]
        if rng.random() < TWO_SIGNATURES:
            selectors.append(pick(rng, SELECTORS))
        out.append((f"{prefix}{i:05d}", domain(i % domain_count), pick(rng, SIZES),
                    tuple(selectors), rng.getrandbits(32)))
    return out


_keys = None
_lines = None


def _init_worker(keys, seed):
    global _keys, _lines
    _keys = keys
    _lines = text_lines(random.Random(seed))


def _sign(entry):
    name, sender_domain, size, selectors, body_seed = entry
    message = (messages.headers_7bit(name, "load", domain=sender_domain) + b"\r\n" +
               body(random.Random(body_seed), _lines, size))
    for selector, canon in zip(selectors, ("relaxed/relaxed", "simple/simple")):
        headers = messages.SIGNED if canon == "relaxed/relaxed" else messages.SIGNED + [b"x-mailer"]
        message = messages.sign(message, _keys[selector], canon, headers, domain=sender_domain)
    return Item(name, f"bounces@{sender_domain}", f"{name}@{messages.RCPT_DOMAIN}",
                dot_stuff(message), selectors, size)


def build(keys, count, domain_count, seed=7, prefix="m", workers=None):
    """`count` signed Items, in plan order."""
    entries = plan(count, domain_count, seed, prefix)
    with multiprocessing.Pool(workers or os.cpu_count(), _init_worker, (keys, seed)) as pool:
        return pool.map(_sign, entries, chunksize=16)


def big_message(kenin, keys, size, workdir):
    """One message with a `size`-octet body, signed rsa-sha256 relaxed/relaxed by `kenin sign`
    (dkimpy would take minutes): the 50 MB case of criterion 5."""
    sender_domain = domain(0)
    lines = text_lines(random.Random(1))
    path = os.path.join(workdir, "big.eml")
    with open(path, "wb") as f:
        f.write(messages.headers_7bit("big", "load", domain=sender_domain) + b"\r\n")
        written, rng = 0, random.Random(2)
        while written < size:
            chunk = b"".join(rng.choice(lines) for _ in range(1000))[:size - written]
            f.write(chunk)
            written += len(chunk)
        if not chunk.endswith(b"\r\n"):
            f.write(b"\r\n")
    signed = kenin.sign(keys["rsa2048"].pem, sender_domain, "rsa2048", path, path + ".signed")
    with open(signed, "rb") as f:
        data = f.read().replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    return Item("big", f"bounces@{sender_domain}", f"big@{messages.RCPT_DOMAIN}",
                dot_stuff(data), ("rsa2048",), size)
