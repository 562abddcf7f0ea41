"""Shared pieces of the metrics tests: kenind with its metrics endpoint on a free loopback
port, the message mix of traffic.lua with what each kind must add to which series, a
parser for the Prometheus text format, and raw milter connections held open.

Reuses tests/integration/milter/milterenv.py (key, zone, messages, kenind, miltertest) and adds
an Ed25519 key and two messages: ed25519.eml (ed25519-sha256) and sha1.eml (rsa-sha1, which
RFC 8301 makes permerror).
"""
import argparse
import os
import re
import socket
import struct
import subprocess
import sys
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "milter"))
from milterenv import (AUTHSERV_ID, BODY, HEADERS, Kenind, Tally, free_port,  # noqa: E402,F401
                       make_data, run_miltertest)

TRAFFIC = os.path.join(HERE, "traffic.lua")

# SPEC §7: the families kenind must export.
SPEC_FAMILIES = (
    "kenin_messages_total", "kenin_dkim_signatures_total", "kenin_spf_results_total",
    "kenin_dmarc_results_total", "kenin_message_duration_seconds", "kenin_dns_queries_total",
    "kenin_dns_query_duration_seconds", "kenin_dns_cache_hits_total",
    "kenin_dns_cache_misses_total", "kenin_dns_cache_entries", "kenin_dns_cache_evictions_total",
    "kenin_milter_connections_active", "kenin_errors_total", "kenin_build_info",
    # Not in SPEC §7: issue 9 (ARC) adds this family.
    "kenin_arc_results_total")

# What one message of each kind of traffic.lua adds: (family, labels) -> count.
EXPECTED = {
    "pass_rsa": {"action": "accept", "dkim": [("pass", "rsa-sha256")], "spf": "pass",
                 "dmarc": ("pass", "none")},
    # The body changed, so DKIM fails; SPF passes and aligns, so DMARC passes.
    "fail_rsa": {"action": "accept", "dkim": [("fail", "rsa-sha256")], "spf": "pass",
                 "dmarc": ("pass", "none")},
    "pass_ed25519": {"action": "accept", "dkim": [("pass", "ed25519-sha256")], "spf": "pass",
                     "dmarc": ("pass", "none")},
    "sha1": {"action": "accept", "dkim": [("permerror", "rsa-sha1")], "spf": "pass",
             "dmarc": ("pass", "none")},
    "reject": {"action": "reject", "dkim": [], "spf": "fail", "dmarc": ("fail", "reject")},
    "quarantine": {"action": "quarantine", "dkim": [], "spf": "fail",
                   "dmarc": ("fail", "quarantine")},
    "unsigned": {"action": "accept", "dkim": [], "spf": "fail", "dmarc": ("fail", "none")},
}

CONFIG = """# kenind for the metrics tests: DMARC enforcement, so reject and quarantine happen.
[dmarc]
enforcement = "on"
"""
# A cache that churns (two entries per shard of 16, answers kept one second) so that misses,
# evictions and upstream queries keep happening while traffic flows: every DNS panel and rule
# then has data.
CHURNING_CACHE = """
[cache]
capacity = 32
min_ttl = 0
max_ttl = 1
max_negative_ttl = 1
servfail_ttl = 1
"""


def parse_args(prometheus=False):
    """The binaries a metrics test runs: --kenind, --kenin, --miltertest (and --prometheus,
    empty when it is not installed)."""
    parser = argparse.ArgumentParser()
    for name in ("--kenind", "--kenin", "--miltertest"):
        parser.add_argument(name, required=True)
    if prometheus:
        parser.add_argument("--prometheus", default="")
    return parser.parse_args()


def make_metrics_data(kenin, directory):
    """milterenv.make_data(), plus the Ed25519 key in the zone and the two extra messages."""
    make_data(kenin, directory)
    ed_key = os.path.join(directory, "ed25519.pem")
    keygen = subprocess.run([kenin, "keygen", "--type", "ed25519", "-s", "ed", "-d", "example.org",
                             "-o", ed_key], capture_output=True, text=True, check=True)
    with open(os.path.join(directory, "test.zone"), "a") as zone:
        zone.write(keygen.stdout.strip() + "\n")
    for name, key, selector, algorithm in (("ed25519.eml", ed_key, "ed", "ed25519-sha256"),
                                           ("sha1.eml", os.path.join(directory, "key.pem"), "sel",
                                            "rsa-sha1")):
        plain = HEADERS.format(sender="alice@example.org", tag=name) + "\r\n" + BODY
        signed = subprocess.run([kenin, "sign", "-k", key, "-d", "example.org", "-s", selector,
                                 "-a", algorithm, "-"], input=plain.encode(), capture_output=True,
                                check=True)
        with open(os.path.join(directory, name), "wb") as out:
            out.write(signed.stdout)


def start_kenind(kenind_binary, directory, config_text):
    """kenind -f on free milter and metrics ports; returns (Kenind, socket spec, metrics port)
    once it listens, or (Kenind, None, None) if it did not start."""
    config = os.path.join(directory, "metrics.toml")
    with open(config, "w") as out:
        out.write(config_text)
    socket_spec = f"inet:{free_port()}@127.0.0.1"
    metrics_port = free_port()
    kenind = Kenind(kenind_binary, ["-c", config, "--socket", socket_spec,
                                    "--zone", os.path.join(directory, "test.zone"),
                                    "--authserv-id", AUTHSERV_ID,
                                    "--metrics", f"127.0.0.1:{metrics_port}"])
    if not kenind.wait_for("listening on"):
        return kenind, None, None
    return kenind, socket_spec, metrics_port


def send_traffic(miltertest, socket_spec, directory, rounds, tag):
    """Runs traffic.lua; returns (exit code, output, {kind: messages answered})."""
    code, output = run_miltertest(miltertest, TRAFFIC, socket_spec, directory,
                                  extra={"ROUNDS": str(rounds), "TAG": tag})
    sent = {}
    for kind in re.findall(r"^SENT (\w+)$", output, re.MULTILINE):
        sent[kind] = sent.get(kind, 0) + 1
    return code, output, sent


def expected_counts(sent):
    """{(family, labels as a sorted tuple): count} for the messages in `sent`."""
    out = {}

    def add(family, **labels):
        key = (family, tuple(sorted(labels.items())))
        out[key] = out.get(key, 0) + count

    for kind, count in sent.items():
        e = EXPECTED[kind]
        add("kenin_messages_total", action=e["action"])
        for result, algorithm in e["dkim"]:
            add("kenin_dkim_signatures_total", result=result, algorithm=algorithm)
        add("kenin_spf_results_total", result=e["spf"])
        add("kenin_dmarc_results_total", result=e["dmarc"][0], disposition=e["dmarc"][1])
        # traffic.lua's messages carry no ARC fields: each chain is "none" (issue 9).
        add("kenin_arc_results_total", result=e.get("arc", "none"))
    return out


SAMPLE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$")
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_exposition(text):
    """The text format as ({(name, labels tuple): value}, {family: type})."""
    samples, types = {}, {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            types[name] = kind
        elif line and not line.startswith("#"):
            match = SAMPLE.match(line)
            if not match:
                raise ValueError(f"not a sample line: {line!r}")
            labels = tuple(sorted(LABEL.findall(match.group(2) or "")))
            samples[(match.group(1), labels)] = float(match.group(3))
    return samples, types


def scrape(port):
    """GET /metrics; returns (samples, types) as parse_exposition()."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5) as reply:
        return parse_exposition(reply.read().decode())


def family_samples(samples, family):
    return {labels: value for (name, labels), value in samples.items() if name == family}


def wait_until(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


class MilterConnection:
    """A connection that only negotiates (milter protocol v6, SMFIC_OPTNEG) and stays open:
    kenind counts it in kenin_milter_connections_active until it is closed."""

    def __init__(self, socket_spec):
        port, host = socket_spec[len("inet:"):].split("@")
        self.sock = socket.create_connection((host, int(port)), timeout=5)
        # length, command 'O', version 6, every action, every protocol step.
        body = b"O" + struct.pack("!III", 6, 0x1FF, 0x1FFFFF)
        self.sock.sendall(struct.pack("!I", len(body)) + body)
        length = struct.unpack("!I", self._read(4))[0]
        reply = self._read(length)
        if not reply.startswith(b"O"):
            raise RuntimeError(f"negotiation refused: {reply!r}")

    def _read(self, size):
        data = b""
        while len(data) < size:
            chunk = self.sock.recv(size - len(data))
            if not chunk:
                raise RuntimeError("kenind closed the connection")
            data += chunk
        return data

    def close(self):
        self.sock.close()
