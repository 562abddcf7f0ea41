#!/usr/bin/python3
"""Load: 200 SMTP sessions at once through Postfix into kenind, every message delivered with
kenind's Authentication-Results; with --sighup, kenind reloads again and again while they are
in flight, and still nothing is dropped (SPEC §5: "SIGHUP reloads without dropping connections").

    200 x smtplib --> Postfix smtpd x 200 --200 milter connections--> kenind --> ldns-testns
                          | relay
                          v
                    capture server

The parts are those of postfix_milter_e2e.py (mta.py, messages.py, dnstest.py), with Postfix's
process limit raised above 200 (loopback clients are in mynetworks, so anvil's per-client
limits do not apply). 200 messages signed by dkimpy (rsa-sha256 and ed25519-sha256, relaxed and
simple) go one per connection, each from its own thread: every session is opened and gets
through MAIL FROM and RCPT TO, then all wait for each other (a barrier) before DATA, so that 200
SMTP sessions, 200 smtpd processes and 200 milter connections are open at the same time and the
200 messages reach kenind together.

With --sighup, a thread rewrites kenind's configuration file (alternating [dns] timeout_ms, so
every reload builds a new resolver and an empty cache while old messages still hold the old one)
and sends SIGHUP, waits for "configuration reloaded" in the log, pauses 100 ms, and again, for as
long as any session is open.

Checks: every message accepted by Postfix (250; milter_default_action is tempfail, so a kenind
that failed or dropped a connection shows as 4xx) and delivered exactly once, with exactly one
Authentication-Results of kenind's saying dkim=pass, spf=pass, dmarc=pass; nothing else delivered;
no milter warning in Postfix's log; one log line per message in kenind's log and exit 0 on
SIGTERM; with --sighup, reloads seen while the messages were in flight and no failed reload.
Prints the wall times: sessions opened, DATA to the last 250, and the last delivery.

Run as root: load_e2e.py --kenin build/tools/kenin --kenind build/milter/kenind [--sighup]
"""
import os
import re
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import dnstest  # noqa: E402
import messages  # noqa: E402
import mta  # noqa: E402
from messages import AUTHSERV_ID, HELO, MAIL_FROM, RCPT_DOMAIN  # noqa: E402

SESSIONS = 200
DELIVERY_WAIT = 120  # seconds after the last 250
# main.cf: smtpd's process limit (master.cf "-") above the number of sessions; no waiting for
# the queue manager before accepting a message (in_flow_delay), which only slows the senders.
POSTFIX_SETTINGS = {"default_process_limit": str(SESSIONS + 50), "in_flow_delay": "0s"}
CANONS = ("relaxed/relaxed", "simple/simple")


def load_messages(keys):
    """[(name, selector, message)]: alternating keys and canonicalizations."""
    out = []
    selectors = sorted(keys)
    for i in range(SESSIONS):
        name = f"load-{i:03d}"
        selector, canon = selectors[i % 2], CANONS[(i // 2) % 2]
        message = messages.sign(messages.headers_7bit(name, canon) + b"\r\n" + messages.BODY,
                                keys[selector], canon)
        out.append((name, selector, message))
    return out


class Reloader(threading.Thread):
    """SIGHUP after SIGHUP until stopped, each with a changed [dns] timeout_ms; records when
    each reload was seen in the log and whether any failed."""

    def __init__(self, kenind):
        super().__init__(daemon=True)
        self.kenind = kenind
        self.stopping = threading.Event()
        self.done = []     # monotonic times of reloads seen
        self.failed = 0

    def run(self):
        while not self.stopping.is_set():
            self.kenind.write_config(f"[dns]\ntimeout_ms = {2000 + len(self.done) % 2}\n")
            if self.kenind.reload(timeout=10):
                self.done.append(time.monotonic())
            else:
                self.failed += 1
            self.stopping.wait(0.1)

    def stop(self):
        self.stopping.set()
        self.join(30)


def run(args, workdir, tally):
    kenin = dnstest.Kenin(args.kenin, workdir)
    keys = messages.make_keys(kenin)
    records = messages.dns_records(keys)
    signing = time.monotonic()
    batch = load_messages(keys)
    print(f"NOTE {SESSIONS} messages signed by dkimpy in {time.monotonic() - signing:.1f} s")
    ns = dnstest.TestNs(dnstest.write_datafile(records, os.path.join(workdir, "testns.data")),
                        os.path.join(workdir, "testns.log"), args.ldns_testns)
    kenind = mta.Kenind(args.kenind, workdir, [], AUTHSERV_ID, "[dns]\ntimeout_ms = 2000\n")
    queue_ids = {}
    with ns:
        kenind.dns_args = ["--resolver", ns.server]
        try:
            kenind.start()
            with mta.CaptureSink(os.path.join(workdir, "delivered")) as sink, \
                    mta.PrivatePostfix(workdir, sink.port, kenind.milter,
                                       POSTFIX_SETTINGS) as postfix:
                reloader = Reloader(kenind) if args.sighup else None
                if reloader:
                    reloader.start()
                started = time.monotonic()
                open_at_barrier = {}

                def count_connections():
                    open_at_barrier["smtp"] = mta.established(postfix.port)
                    open_at_barrier["milter"] = mta.established(kenind.port)
                    open_at_barrier["time"] = time.monotonic()
                try:
                    results, seconds = mta.send_all_at_once(
                        postfix.port, [(MAIL_FROM, f"{name}@{RCPT_DOMAIN}", message)
                                       for name, _, message in batch], HELO,
                        at_barrier=count_connections)
                finally:
                    if reloader:
                        reloader.stop()
                replied = time.monotonic()
                refused = []
                for (name, _, _), (ok, qid, text, _) in zip(batch, results):
                    if ok:
                        queue_ids[name] = qid
                    else:
                        refused.append(f"{name}: {text}")
                tally.check(open_at_barrier.get("smtp", 0) >= SESSIONS and
                            open_at_barrier.get("milter", 0) >= SESSIONS,
                            f"{SESSIONS} SMTP sessions and milter connections open at once",
                            f"established before DATA: {open_at_barrier}",
                            note=f"established before DATA: {open_at_barrier.get('smtp')} SMTP, "
                                 f"{open_at_barrier.get('milter')} milter")
                data_seconds = max((r[3] for r in results if r[3] is not None), default=0)
                tally.check(not refused, f"{SESSIONS} sessions at once: every message accepted",
                            f"{len(refused)} not accepted:\n  " + "\n  ".join(refused[:10]) +
                            postfix.log_tail(20),
                            note=f"all answered {seconds:.1f} s after the first connect; "
                                 f"{data_seconds:.1f} s from DATA to the last 250")
                if reloader:
                    in_flight = [t for t in reloader.done if started <= t <= replied]
                    after_data = [t for t in in_flight if t >= open_at_barrier.get("time", replied)]
                    tally.check(len(in_flight) >= 3 and not reloader.failed,
                                "SIGHUP under load: reloads while the sessions were open",
                                f"{len(in_flight)} reloads in flight, {reloader.failed} failed or "
                                f"not seen; log tail:\n{kenind.log_text()[-1500:]}",
                                note=f"{len(in_flight)} reloads in {replied - started:.1f} s, "
                                     f"{len(after_data)} of them between DATA and the last 250")
                delivered = sink.wait_for(list(queue_ids), DELIVERY_WAIT)
                print(f"NOTE last delivery {time.monotonic() - started:.1f} s after the first "
                      "connect")
                check_delivered(tally, batch, queue_ids, delivered, postfix)
                mta.check_mail_path(tally, sink, postfix, [name for name, _, _ in batch])
        finally:
            kenind.stop()
    kenind.check_stopped(tally, list(queue_ids.values()))
    errors = [line for line in kenind.log_text().splitlines()
              if re.search(r"\berror[:=]|reload failed", line)]
    tally.check(not errors, "kenind logged no error", "\n".join(errors[:10]))


def check_delivered(tally, batch, queue_ids, delivered, postfix):
    """Each accepted message: delivered once, one A-R of ours, dkim/spf/dmarc pass. One line for
    all of them, the first problems named."""
    problems = []
    for name, selector, _ in batch:
        if name not in queue_ids:
            continue
        copies = delivered.get(name, [])
        if len(copies) != 1:
            problems.append(f"{name}: delivered {len(copies)} times; Postfix log:\n    " +
                            "\n    ".join(postfix.log_lines_for(queue_ids[name])))
            continue
        count, results, text = messages.our_results(copies[0])
        want = {"dkim": ["pass"], "spf": ["pass"], "dmarc": ["pass"]}
        got = {method: results.get(method) for method in want}
        if count != 1 or got != want or f"header.s={selector}" not in text:
            problems.append(f"{name}: {count} A-R of ours, {got}: {text}")
    tally.check(not problems and len(queue_ids) == len(batch),
                "every message delivered once with one A-R: dkim=pass spf=pass dmarc=pass",
                f"{len(problems)} wrong:\n  " + "\n  ".join(problems[:10]),
                note=f"{len(queue_ids)} messages")


def add_arguments(parser):
    parser.add_argument("--sighup", action="store_true",
                        help="reload kenind again and again while the messages are in flight")


if __name__ == "__main__":
    sys.exit(mta.main(__doc__, run, add_arguments))
