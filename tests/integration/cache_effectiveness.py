#!/usr/bin/env python3
"""The DNS cache in front of the network resolver: 1000 messages signed with 10 keys (five
rsa-2048, five ed25519; 100 messages each, the keys interleaved, every signature shared by 10
files that differ above it; 5 per key altered after signing so some verdicts are fail) are
verified by ONE `kenin verify --resolver` against
ldns-testns. The server's log must show at most one TXT query per key (<= 10), and every
verdict must equal the one `kenin verify --zone` gives from a master file holding the same
records. (The DMARC lookups of the one From: domain are answered NXDOMAIN and counted apart.)

Usage: cache_effectiveness.py --kenin PATH [--ldns-testns PATH] [--keep]
"""
import concurrent.futures
import os
import sys
import time


sys.dont_write_bytecode = True  # no __pycache__ in the source tree

from dnstest import DMARC_NAMES, Kenin, TestNs, base_entries, dkim_results, entry, run_script, write_message

KEYS = 10
MESSAGES_PER_KEY = 100
SIGNED_PER_KEY = 10  # distinct signatures per key; each written as 10 differing files
TAMPER_EVERY = 20  # 1 in 20 messages of each key gets a body line after signing: dkim=fail


def key_specs():
    """(selector, domain, kind): alternating rsa and ed25519, some keys sharing a domain."""
    for i in range(KEYS):
        kind = "rsa" if i % 2 == 0 else "ed25519"
        yield f"s{i}", f"d{i % 4}.cache.kenin.test", kind


def sign_all(kenin, workdir, keys):
    """MESSAGES_PER_KEY messages per key, keys interleaved, signed by `kenin sign`. Only
    SIGNED_PER_KEY of them per key are signed (in parallel); the rest are copies of those
    that differ in a field above the signature, which h= does not cover, so every file is
    its own message to the verifier at a tenth of the signing processes (a `kenin sign` is
    ~170 ms under ASan: 1000 of them were most of this test's time there). Returns the paths
    in order."""
    jobs = []
    for m in range(SIGNED_PER_KEY):
        for k, (selector, domain, kind, pem) in enumerate(keys):
            n = m * len(keys) + k
            algorithm = "rsa-sha256" if kind == "rsa" else "ed25519-sha256"
            raw = write_message(os.path.join(workdir, f"raw{n:04}.eml"), domain, f"message {n}",
                                f"small body {n} for {selector}._domainkey.{domain}")
            jobs.append((pem, domain, selector, raw, os.path.join(workdir, f"signed{n:04}.eml"), algorithm))

    def sign(job):
        pem, domain, selector, raw, out, algorithm = job
        kenin.sign(pem, domain, selector, raw, out, algorithm)
        with open(out, newline="") as f:
            return f.read()

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        signed = list(pool.map(sign, jobs))

    paths = []
    for m in range(MESSAGES_PER_KEY):
        for k in range(len(keys)):
            n = m * len(keys) + k  # keys interleaved: k0 k1 ... k9 k0 k1 ...
            text = f"X-Copy: {n}\r\n" + signed[(m % SIGNED_PER_KEY) * len(keys) + k]
            if (m + k) % TAMPER_EVERY == 0:
                text += "a line added after signing\r\n"
            path = os.path.join(workdir, f"m{n:04}.eml")
            with open(path, "w", newline="") as f:
                f.write(text)
            paths.append(path)
    return paths


def run(args, workdir, tally):
    kenin = Kenin(args.kenin, workdir)
    keys, zone_lines = [], []
    for selector, domain, kind in key_specs():
        pem, _, zone_line = kenin.keygen(selector, domain, kind, 2048)
        keys.append((selector, domain, kind, pem))
        zone_lines.append(zone_line)

    start = time.monotonic()
    messages = sign_all(kenin, workdir, keys)
    print(f"  wrote {len(messages)} messages ({KEYS * SIGNED_PER_KEY} signed with kenin sign) in "
          f"{time.monotonic() - start:.1f} s", flush=True)

    zone = os.path.join(workdir, "keys.zone")
    with open(zone, "w") as f:
        f.write("\n".join(zone_lines) + "\n")
    datafile = os.path.join(workdir, "cache.data")
    with open(datafile, "w") as f:
        f.write(base_entries())
        for (selector, domain, _, _), line in zip(keys, zone_lines):
            f.write(entry(f"{selector}._domainkey.{domain}.", answer=[line]))

    with TestNs(datafile, os.path.join(workdir, "cache.log"), args.ldns_testns) as ns:
        rc, net, err, secs = kenin.verify_json(ns.server, messages, timeout=120)
        txt = ns.queries(qtype="TXT")  # the key lookups (DMARC's left out)
        every = ns.queries(dmarc=True)
        dmarc = [q for q in every if q[2] in DMARC_NAMES]
    n = len(messages)
    tally.check(rc == 0 and len(net) == n, f"one kenin verify --resolver run over {n} messages",
                f"rc={rc}, {len(net)} reports, {err.strip()[:500]}", note=f"{secs:.2f} s")
    names = sorted({q[2] for q in txt})
    key_names = sorted(f"{selector}._domainkey.{domain}." for selector, domain, _, _ in keys)
    tally.check(names == key_names, f"the TXT queries asked for the {KEYS} key names", f"asked {names}")
    tally.check(len(txt) <= KEYS, f"TXT queries at the server <= {KEYS}",
                f"{len(txt)} TXT queries, the first: {txt[:12]}",
                note=f"{len(txt)} key TXT queries, {len(names)} distinct names")
    # kenin verify also evaluates DMARC for the From: domain (one for all messages): NXDOMAIN,
    # negatively cached (RFC 2308), so each name of the tree walk is asked once.
    tally.check(len(dmarc) <= len(DMARC_NAMES), f"DMARC TXT queries <= {len(DMARC_NAMES)} (NXDOMAIN cached)",
                f"{len(dmarc)} DMARC queries, the first: {dmarc[:12]}", note=f"{len(dmarc)} DMARC queries")
    print(f"  TXT queries seen by ldns-testns for {n} messages: {len(txt)} for keys, {len(dmarc)} for DMARC, "
          f"{len(every)} queries in all", flush=True)

    rc, local, err, _ = kenin.verify_json(None, messages, zone=zone, timeout=120)
    tally.check(rc == 0 and len(local) == n, f"kenin verify --zone over the same {n} messages",
                f"rc={rc}, {len(local)} reports {err.strip()[:500]}")
    # The whole report line: every field of every DKIM verdict (result, reason, domain,
    # selector, algorithm, key bits...), whatever else it holds, and the A-R header.
    differ = [(a.get("file"), a.get("dkim"), b.get("dkim")) for a, b in zip(net, local) if a != b]
    tally.check(not differ and len(net) == len(local), "verdicts via DNS equal verdicts via --zone, per message",
                f"{len(differ)} differ, e.g. {differ[:3]}")
    results = [r for report in net for r, _ in dkim_results(report)]
    passes, fails = results.count("pass"), results.count("fail")
    expected_fail = n // TAMPER_EVERY
    tally.check(passes == n - expected_fail and fails == expected_fail,
                "verdicts are the expected ones (altered bodies fail, the rest pass)",
                f"pass={passes} fail={fails} other={len(results) - passes - fails}",
                note=f"{passes} pass, {fails} fail")

if __name__ == "__main__":
    sys.exit(run_script(__doc__, run))
