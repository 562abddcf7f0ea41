#!/usr/bin/python3
"""DNS down: mail through Postfix and kenind while kenind's nameserver is gone is delivered, with
temperror results, in bounded time (SPEC §5: "a DNS outage yields temperror results, not a hang").

    smtplib --> Postfix smtpd --milter--> kenind --DNS--> ldns-testns, then a silent server,
                   | relay                                 then nothing at all
                   v
             capture server

One kenind (inet, --authserv-id) whose nameserver is `[dns] resolver` in its configuration file,
changed by SIGHUP (a change to [dns] builds a new resolver with an empty cache), goes through
three outages in turn:
  stopped  ldns-testns (tests/integration/dnstest.py) answers a first message (dkim, spf and
           dmarc pass: the set-up works), then is stopped mid-run. The next messages ask for
           names not yet cached, on a port where nothing listens any more: every query is
           refused at once (ICMP port unreachable).
  silent   a nameserver that takes every query and never answers (a lost route, a firewall that
           drops): each lookup waits out timeout_ms x attempts, kenind's defaults (2000 ms x 3),
           then again with 500 ms x 2 (silent-short: the bound follows the configuration).
  refused  an address where nothing ever listened.
In each, three messages signed by dkimpy for a domain of their own go at once (three SMTP
sessions open together). Each must be accepted by Postfix (250: kenind answered in time and did
not fail, since milter_default_action is tempfail), delivered once, with exactly one
Authentication-Results of kenind's saying dkim=temperror, spf=temperror and dmarc=temperror, and
kenind's log line for it must show the time taken (total_ms) within the bound of that outage:
below one timeout_ms when queries are refused (nothing waits for a timeout), at most
timeout_ms x attempts plus slack when they go unanswered (lookups run in parallel, not one
timeout after another). The silent server must have received kenind's queries (the cause).
With --domains N, the silent outage sends max(3, N) messages from N sender domains at once, and
each must still get its verdict within that bound.

Run as root: dns_down_e2e.py --kenin build/tools/kenin --kenind build/milter/kenind [--keep].
Prints one line per check and "N passed, M failed"; exits 1 on a failure, 77 when not root.
"""
import os
import socket
import sys
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import dnstest  # noqa: E402
import messages  # noqa: E402
import mta  # noqa: E402
from messages import AUTHSERV_ID, DOMAIN, HELO, MAIL_FROM, RCPT_DOMAIN  # noqa: E402

TIMEOUT_MS, ATTEMPTS = 2000, 3  # kenind's [dns] defaults (docs/configuration.md)
SLACK_MS = 4000                 # a loaded machine, on top of the DNS wait
PER_OUTAGE = 3                  # messages sent at once in each outage
DELIVERY_WAIT = 60


class SilentServer:
    """A UDP "nameserver" on 127.0.0.1 that reads every query and answers none; it keeps the
    question names, to show kenind did ask."""

    def __init__(self):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.names = []
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join(5)
        self.sock.close()
        return False

    def _read(self):
        while not self.stopping.is_set():
            try:
                query, _ = self.sock.recvfrom(4096)
            except socket.timeout:
                continue
            self.names.append(dnstest.query_name(query))


def unused_udp_port():
    """A port nothing listens on: bound, then closed (another process taking it at once is as
    unlikely as it is harmless: it would not answer DNS)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dns_config(server):
    return f'[dns]\nresolver = ["{server}"]\n'


def outage_messages(outage, key, domains):
    """[(mail from, rcpt, message)]: signed for a domain of this outage only (one of `domains`),
    From it, with an envelope domain of its own, so no answer of an earlier phase is cached."""
    out = []
    for i in range(max(PER_OUTAGE, domains)):
        name = f"{outage}-{i}"
        label = f"{outage}{i % domains}" if domains > 1 else outage
        domain = f"{label}.down.{DOMAIN}"
        message = messages.sign(messages.headers_7bit(name, "relaxed/relaxed", domain) + b"\r\n" +
                                messages.BODY, key, "relaxed/relaxed", domain=domain)
        out.append((f"bounces@{label}.mailer.example.net", f"{name}@{RCPT_DOMAIN}", message))
    return out


def check_delivered(tally, name, copies, want):
    """One copy, one A-R of ours with `want` ({method: result}) for every method in it."""
    if len(copies) != 1:
        return tally.check(False, f"{name}: delivered once", f"delivered {len(copies)} times")
    count, results, text = messages.our_results(copies[0])
    got = {method: results.get(method) for method in want}
    return tally.check(count == 1 and got == {m: [r] for m, r in want.items()},
                       f"{name}: delivered, " + " ".join(f"{m}={r}" for m, r in want.items()),
                       f"{count} A-R of ours; got {got}; A-R: {text}")


def outage(tally, postfix, sink, kenind, label, key, bound_ms, names, silent=None, domains=1):
    """Sends the messages of one outage at once and checks each; returns the queue ids and adds
    the messages' names to `names`."""
    transactions = outage_messages(label, key, domains)
    names += [rcpt.split("@")[0] for _, rcpt, _ in transactions]
    results, seconds = mta.send_all_at_once(postfix.port, transactions, HELO, timeout=120)
    queue_ids = {}
    for (_, rcpt, _), (ok, qid, text, data_seconds) in zip(transactions, results):
        name = rcpt.split("@")[0]
        if tally.check(ok, f"{name}: accepted by Postfix (not tempfailed, not rejected)",
                       f"{text}{postfix.log_tail(15)}",
                       note=f"DATA answered in {data_seconds or 0:.2f} s"):
            queue_ids[name] = qid
    delivered = sink.wait_for(list(queue_ids), DELIVERY_WAIT)
    lines = kenind.message_lines()
    for name, qid in queue_ids.items():
        log = (lines.get(qid) or [{}])[0]
        total = int(log.get("total_ms", -1))
        check_delivered(tally, name, delivered.get(name, []),
                        {"dkim": "temperror", "spf": "temperror", "dmarc": "temperror"})
        tally.check(0 <= total <= bound_ms and log.get("dkim", "").startswith("temperror"),
                    f"{name}: kenind's verdict within {bound_ms} ms",
                    f"log line {log}", note=f"total_ms={total} eom_ms={log.get('eom_ms')}")
    if silent is not None:
        asked = sorted(set(silent.names))
        tally.check(asked, f"{label}: the silent server received kenind's queries",
                    "no query", note=f"{len(silent.names)} queries for {len(asked)} names: " +
                    ", ".join(asked[:6]) + (", ..." if len(asked) > 6 else ""))
    print(f"NOTE {label}: {len(transactions)} messages at once, last reply after {seconds:.2f} s")
    return list(queue_ids.values())


def run(args, workdir, tally):
    kenin = dnstest.Kenin(args.kenin, workdir)
    keys = {"ed25519": messages.make_key(kenin, "ed25519", "ed25519")}
    records = messages.dns_records(keys)
    ns = dnstest.TestNs(dnstest.write_datafile(records, os.path.join(workdir, "testns.data")),
                        os.path.join(workdir, "testns.log"), args.ldns_testns)
    ns.start()
    kenind = mta.Kenind(args.kenind, workdir, [], AUTHSERV_ID, dns_config(ns.server))
    queue_ids, names = [], ["control"]
    try:
        kenind.start()
        with mta.CaptureSink(os.path.join(workdir, "delivered")) as sink, \
                mta.PrivatePostfix(workdir, sink.port, kenind.milter) as postfix:
            # The set-up works: with its nameserver up, kenind passes a good message.
            control = messages.sign(messages.headers_7bit("control", "relaxed/relaxed") +
                                    b"\r\n" + messages.BODY, keys["ed25519"], "relaxed/relaxed")
            ok, qid, text = mta.send_smtp(postfix.port, MAIL_FROM, f"control@{RCPT_DOMAIN}",
                                          control, HELO)
            if tally.check(ok, "control: accepted by Postfix", text + postfix.log_tail(15)):
                queue_ids.append(qid)
                check_delivered(tally, "control", sink.wait_for(["control"], DELIVERY_WAIT)
                                .get("control", []), {"dkim": "pass", "spf": "pass", "dmarc": "pass"})

            ns.stop()
            queue_ids += outage(tally, postfix, sink, kenind, "stopped", keys["ed25519"],
                                TIMEOUT_MS, names)

            # Silent, with the default timeouts, then with shorter ones: the bound follows them.
            for label, timeout_ms, attempts in (("silent", TIMEOUT_MS, ATTEMPTS),
                                                ("silent-short", 500, 2)):
                with SilentServer() as silent:
                    kenind.write_config(dns_config(f"127.0.0.1:{silent.port}") +
                                        f"timeout_ms = {timeout_ms}\nattempts = {attempts}\n")
                    tally.check(kenind.reload(), f"{label}: SIGHUP reloads with a silent "
                                f"nameserver, timeout_ms={timeout_ms} attempts={attempts}",
                                kenind.log_text()[-1500:])
                    queue_ids += outage(tally, postfix, sink, kenind, label, keys["ed25519"],
                                        timeout_ms * attempts + SLACK_MS, names, silent,
                                        args.domains)

            kenind.write_config(dns_config(f"127.0.0.1:{unused_udp_port()}"))
            tally.check(kenind.reload(), "refused: SIGHUP reloads with a port nobody listens on",
                        kenind.log_text()[-1500:])
            queue_ids += outage(tally, postfix, sink, kenind, "refused", keys["ed25519"],
                                TIMEOUT_MS, names)

            mta.check_mail_path(tally, sink, postfix, names)
    finally:
        kenind.stop()
        ns.stop()
    kenind.check_stopped(tally, queue_ids)


def add_arguments(parser):
    parser.add_argument("--domains", type=int, default=1,
                        help="silent outage: messages from this many sender domains at once")


if __name__ == "__main__":
    sys.exit(mta.main(__doc__, run, add_arguments))
