#!/usr/bin/python3
"""DNS overlap benchmark for kenind (issue 5, criterion 3).

A DNS server answers every query 200 ms late (slow_dns.py). kenind asks it for everything a
message needs: two DKIM keys (rsa-sha256 and ed25519-sha256 signatures of the From domain),
the SPF record of the MAIL FROM domain and the DMARC record of the From domain (with the
tree walk above it). If the lookups ran one after another a message would wait one delay
per lookup; kenind starts them all at end-of-headers, so it should wait about one delay.

Each message uses a domain of its own, so every lookup misses kenind's cache. The same
messages run once against the server with no delay; the "added latency" is the difference of
the medians (connect to end-of-message reply, over the milter protocol, no MTA in between).
Two SPF shapes: "flat" (ip4: only, one lookup) and "include" (include: of a second record,
two lookups that must follow one another: that is the shortest possible SPF chain).

    bench/overlap.py --kenin build/tools/kenin --kenind build/milter/kenind [--messages 15]
Exit status 1 when the flat case adds 500 ms or more (the issue's bound).
"""
import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from milter_client import MilterConnection, added_headers, header_fields  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
CLIENT_IP = "192.0.2.25"
BOUND_MS = 500


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(*args):
    """stdout as bytes: a signed message keeps its CRLF."""
    done = subprocess.run(args, capture_output=True, timeout=120)
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)}: {done.stderr.decode().strip()}")
    return done.stdout


class Corpus:
    """Keys, one zone for every domain, and one doubly signed message per domain."""

    def __init__(self, kenin, workdir, count):
        self.kenin, self.workdir = kenin, workdir
        self.keys = {}
        for selector, kind in (("rsa", "rsa"), ("ed", "ed25519")):
            pem = os.path.join(workdir, f"{selector}.pem")
            line = run(kenin, "keygen", "--type", kind, "-s", selector, "-d", "x.test", "-o", pem)
            self.keys[selector] = (pem, " ".join(re.findall(r'"[^"]*"', line.decode())))
        zone = ["$TTL 3600", "test. IN SOA ns.test. hostmaster.test. 1 3600 600 86400 300",
                "test. IN NS ns.test."]
        self.cases = []
        for shape in ("flat", "include"):
            for i in range(count):
                domain = f"{shape}{i}.test"
                zone += self.records(domain, shape)
                self.cases.append((shape, domain, self.message(domain, i)))
        self.zone = os.path.join(workdir, "bench.zone")
        with open(self.zone, "w") as f:
            f.write("\n".join(zone) + "\n")

    def records(self, domain, shape):
        out = [f"{selector}._domainkey.{domain}. IN TXT {txt}" for selector, (_, txt) in self.keys.items()]
        out.append(f'_dmarc.{domain}. IN TXT "v=DMARC1; p=reject; rua=mailto:d@{domain}"')
        if shape == "flat":
            out.append(f'{domain}. IN TXT "v=spf1 ip4:192.0.2.0/24 -all"')
        else:
            out.append(f'{domain}. IN TXT "v=spf1 include:_spf.{domain} -all"')
            out.append(f'_spf.{domain}. IN TXT "v=spf1 ip4:192.0.2.0/24 -all"')
        return out

    def message(self, domain, i):
        path = os.path.join(self.workdir, f"{domain}.eml")
        with open(path, "w", newline="") as f:
            f.write(f"From: Alice <alice@{domain}>\r\nTo: bob@example.net\r\n"
                    f"Subject: overlap {i}\r\nMessage-ID: <{i}.{domain}@{domain}>\r\n"
                    f"Date: Sat, 28 Nov 2026 12:00:00 +0000\r\n\r\n"
                    + "A short body line for the overlap benchmark.\r\n" * 20)
        for selector, algorithm in (("rsa", "rsa-sha256"), ("ed", "ed25519-sha256")):
            signed = run(self.kenin, "sign", "-k", self.keys[selector][0], "-d", domain,
                         "-s", selector, "-a", algorithm, path)
            with open(path, "wb") as f:
                f.write(signed)
        with open(path, "rb") as f:
            return f.read()


class Process:
    def __init__(self, args, ready, log_path):
        self.log_path = log_path
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen(args, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 20
        while ready not in open(log_path).read():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{args[0]} did not start: {open(log_path).read()[-2000:]}")
            time.sleep(0.05)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()


def measure(args, corpus, workdir, delay_ms):
    """{shape: [(milliseconds, Authentication-Results, queries)]} for one server delay."""
    dns_port, milter_port = free_port(), free_port()
    dns = Process([sys.executable, os.path.join(HERE, "slow_dns.py"), "--zone", corpus.zone,
                   "--origin", "test.", "--port", str(dns_port), "--delay-ms", str(delay_ms)],
                  "READY", os.path.join(workdir, f"dns{delay_ms}.log"))
    config = os.path.join(workdir, "kenind.toml")
    with open(config, "w") as f:
        f.write("[dns]\ntimeout_ms = 2000\nattempts = 2\n")
    kenind = Process([args.kenind, "-f", "-c", config, "--socket", f"inet:{milter_port}@127.0.0.1",
                      "--resolver", f"127.0.0.1:{dns_port}", "--authserv-id", "mx.bench.test",
                      "--metrics", "off"], "listening on", os.path.join(workdir, f"kenind{delay_ms}.log"))
    results = {}
    try:
        for shape, domain, message in corpus.cases:
            fields, body = header_fields(message)
            before = query_count(dns.log_path, domain)
            start = time.perf_counter()
            connection = MilterConnection("127.0.0.1", milter_port)
            answer, modifications = connection.message(CLIENT_IP, "mail." + domain,
                                                       f"alice@{domain}", "bob@example.net",
                                                       fields, body)
            elapsed_ms = (time.perf_counter() - start) * 1000
            connection.close()
            headers = [v for n, v in added_headers(modifications) if n == "Authentication-Results"]
            auth = " ".join(headers[0].split()) if headers else f"(no header; answer {answer})"
            results.setdefault(shape, []).append(
                (elapsed_ms, auth, query_count(dns.log_path, domain) - before))
    finally:
        kenind.stop()
        dns.stop()
    return results


def query_count(log_path, domain):
    with open(log_path) as f:
        return sum(1 for line in f if line.startswith("Q ") and f"{domain}." in line)


def main():
    parser = argparse.ArgumentParser(description="kenind DNS overlap benchmark")
    parser.add_argument("--kenin", required=True)
    parser.add_argument("--kenind", required=True)
    parser.add_argument("--messages", type=int, default=15, help="per SPF shape")
    parser.add_argument("--delay-ms", type=int, default=200)
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="kenin-overlap-")
    try:
        corpus = Corpus(args.kenin, workdir, args.messages)
        fast = measure(args, corpus, workdir, 0)
        slow = measure(args, corpus, workdir, args.delay_ms)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    expected = ("dkim=pass", "dkim=pass", "spf=pass", "dmarc=pass")
    failed = False
    print(f"server delay {args.delay_ms} ms; {args.messages} messages per shape, each its own domain")
    print(f"{'SPF shape':10} {'queries':>8} {'median 0 ms':>12} {'median slow':>12} {'added':>8}"
          f" {'if serial':>10}")
    for shape in ("flat", "include"):
        for label, rows in (("no delay", fast[shape]), ("delayed", slow[shape])):
            for _, auth, _ in rows:
                if [auth.count(token.split("=")[0] + "=pass") for token in expected] != [2, 2, 1, 1]:
                    print(f"WRONG VERDICT ({shape}, {label}): {auth}")
                    failed = True
        base = statistics.median(ms for ms, _, _ in fast[shape])
        delayed = statistics.median(ms for ms, _, _ in slow[shape])
        queries = statistics.median(q for _, _, q in slow[shape])
        added = delayed - base
        print(f"{shape:10} {queries:8.0f} {base:10.1f}ms {delayed:10.1f}ms {added:6.0f}ms"
              f" {queries * args.delay_ms:8.0f}ms")
        if shape == "flat" and added >= BOUND_MS:
            failed = True
    print("example header:", slow["flat"][0][1])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
