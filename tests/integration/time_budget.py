#!/usr/bin/env python3
"""The end-of-message time budget ([limits] eom_budget_ms) of the real kenind in a DNS outage.

kenind's only nameserver takes every query and answers none (a lost route, a firewall that
drops), with [dns] timeout_ms x attempts = 2.5 s x 2: without a budget each lookup would end
after 5 s, and lookups queue behind kenind's 32 DNS workers (docs/milter.md: 12 sender
domains at once took 18 s on the 2 s x 3 defaults). With eom_budget_ms = 1000, twelve messages from twelve sender
domains sent at once over the milter protocol (raw_milter.py) must each be answered about
1 s after their end-of-message, accepted, with dkim, spf and dmarc all temperror "time budget
exhausted"; the silent server must have received kenind's queries (the cause), and kenind
must still answer the next message in its budget. SIGTERM must then stop kenind with exit 0;
its DNS workers first finish the lookups still queued (dns/worker_pool.h), several rounds of
5 s against the silent server, so that wait is allowed up to STOP_S.
Prints one PASS/FAIL line per check and "N passed, M failed"; exits 1 on a failure.
"""
import argparse
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "milter"))
from milterenv import AUTHSERV_ID, Kenind, Tally, free_port, make_data  # noqa: E402
from raw_milter import Client, MilterError, resinfo, split_message  # noqa: E402

BUDGET_MS = 1000
TIMEOUT_MS, ATTEMPTS = 2500, 2  # one lookup alone would take 5 s
DOMAINS = 12
SLACK_S = 1.5                   # scheduling on a loaded 2-core machine, on top of the budget
BUDGET_REASON = 'reason="time budget exhausted"'
STOP_S = 45


class SilentServer:
    """UDP on 127.0.0.1 that reads every query and answers none; counts what it was asked."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.queries = 0
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while self.running:
            try:
                self.sock.recvfrom(4096)
                self.queries += 1
            except socket.timeout:
                pass

    def stop(self):
        self.running = False
        self.thread.join(2)
        self.sock.close()


def message(kenin, key, domain, tag):
    text = (f"From: Alice <alice@{domain}>\r\nTo: bob@example.net\r\nSubject: outage {tag}\r\n"
            f"Date: Mon, 1 Jan 2024 00:00:00 +0000\r\nMessage-ID: <{tag}@{domain}>\r\n\r\n"
            "Hello.\r\n")
    signed = subprocess.run([kenin, "sign", "-k", key, "-d", domain, "-s", "sel", "-"],
                            input=text.encode(), capture_output=True, check=True).stdout
    return split_message(signed)


def send(port, domain, fields, body, results, index):
    try:
        client = Client("127.0.0.1", port, timeout=60)
        try:
            results[index] = client.transaction("192.0.2.25", f"mail.{domain}", f"alice@{domain}",
                                                fields, [body])
        finally:
            client.sock.close()
    except (MilterError, OSError) as error:
        results[index] = (f"error {error!r}", {}, 0.0)


def check_answer(tally, name, result):
    answer, added, eom = result
    items = resinfo(added.get("Authentication-Results", ""))
    methods = {item.split("=")[0]: item for item in items}
    spent = all(m in methods and methods[m].startswith(f"{m}=temperror {BUDGET_REASON}")
                for m in ("dkim", "spf", "dmarc"))
    tally.check(answer == "accept" and spent,
                f"{name}: accepted, dkim, spf and dmarc temperror 'time budget exhausted'",
                f"answer {answer}, {items}")
    tally.check(BUDGET_MS / 1000 - 0.1 <= eom < BUDGET_MS / 1000 + SLACK_S,
                f"{name}: answered when the budget ran out", f"{eom:.2f} s at end-of-message",
                note=f"{eom:.2f} s at end-of-message")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kenind", required=True)
    parser.add_argument("--kenin", required=True)
    args = parser.parse_args()
    tally = Tally()
    silent = SilentServer()
    with tempfile.TemporaryDirectory(prefix="kenin-budget-") as data:
        make_data(args.kenin, data)
        key = os.path.join(data, "key.pem")
        config = os.path.join(data, "kenind.toml")
        with open(config, "w") as out:
            out.write(f'[dns]\nresolver = ["127.0.0.1:{silent.port}"]\n'
                      f"timeout_ms = {TIMEOUT_MS}\nattempts = {ATTEMPTS}\n"
                      f"[limits]\neom_budget_ms = {BUDGET_MS}\n")
        port = free_port()
        kenind = Kenind(args.kenind, ["-c", config, "--socket", f"inet:{port}@127.0.0.1",
                                      "--authserv-id", AUTHSERV_ID])
        try:
            if not tally.check(kenind.wait_for("listening on"), "kenind starts", kenind.log()):
                return tally.finish()
            domains = [f"sender{i}.example" for i in range(DOMAINS)]
            messages = [message(args.kenin, key, domain, f"m{i}") for i, domain in enumerate(domains)]
            results = [None] * DOMAINS
            threads = [threading.Thread(target=send, args=(port, domain, fields, body, results, i))
                       for i, (domain, (fields, body)) in enumerate(zip(domains, messages))]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(60)
            for domain, result in zip(domains, results):
                check_answer(tally, f"{domain} (one of {DOMAINS} at once)",
                             result or ("no answer", {}, 0.0))
            tally.check(silent.queries >= DOMAINS, "the silent nameserver was asked",
                        f"{silent.queries} queries", note=f"{silent.queries} queries")
            fields, body = message(args.kenin, key, "after.example", "after")
            after = [None]
            send(port, "after.example", fields, body, after, 0)
            check_answer(tally, "the next message", after[0])
        finally:
            stop_start = time.monotonic()
            code = kenind.stop(timeout=STOP_S)
            stopped = time.monotonic() - stop_start
            silent.stop()
            tally.check(code == 0, "kenind exits 0 on SIGTERM", f"exit {code} after {stopped:.1f} s",
                        note=f"after {stopped:.1f} s")
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
