#!/usr/bin/python3
"""Load benchmark through Postfix (issue 7, criteria 3-5): messages/s, the milter's CPU per
message and kenind's memory, with kenind, a do-nothing libmilter milter, opendkim and
opendkim + opendmarc, measured side by side in one run.

    K SMTP clients --> Postfix smtpd --milter(s)--> cleanup --> qmgr --> smtp --> smtp-sink
                            (private instance on 127.0.0.1)                      (counts)
    milters --> dns_server.py on 192.0.2.53:53 (keys, SPF, DMARC of every sender domain)

Configurations: no milter; null_milter (unix socket); kenind (DKIM + SPF + DMARC; unix and
inet); opendkim (unix and inet); opendkim + opendmarc (unix; opendmarc checks SPF itself).
Each round runs every configuration once, in that order (interleaved); each run starts its
milters and a fresh Postfix, sends a warm-up batch (caches, Postfix processes), then times M
messages from the first connection to the last delivery counted by smtp-sink. CPU: utime +
stime of the milter processes (all threads) over the timed part, per message; the DNS server's
and the whole machine's (/proc/stat) likewise. Before the rounds, a few messages of each shape
go through every configuration to a capture server and their Authentication-Results are
checked (every verifier must say pass), so a fast but broken configuration shows up.

Then criterion 5: kenind alone under the same load with one sender domain per message, until
its DNS cache is full (10,000 entries, the default; read from its /metrics), VmRSS sampled
throughout; and one 50 MB message, VmHWM reset before it (clear_refs) and read after.

opendmarc and libspf2 ask the resolver of /etc/resolv.conf on port 53; so the script re-runs
itself in a network and mount namespace of its own (unshare), where loopback is private,
port 53 is free, the DNS server has an address of its own and /etc/resolv.conf is
bind-mounted to name it. Nothing outside is touched. Needs root (Postfix, the namespaces),
Debian's postfix, opendkim, opendmarc.

    bench/load/postfix_load.py --kenin build-load/tools/kenin --kenind build-load/milter/kenind \
        --null-milter build-load/bench/load/null_milter [--messages 2000] [--rounds 3]

Exit status: 0 when criteria 3-5 hold, 1 when one does not or a check failed.
"""
import argparse
import json
import os
import pickle
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import load_corpus  # noqa: E402  (also puts tests/e2e and tests/integration on the path)
import milters  # noqa: E402
import dnstest  # noqa: E402  (tests/integration: the kenin binary)
import messages  # noqa: E402  (tests/e2e: reading Authentication-Results)
import mta  # noqa: E402  (tests/e2e: the private Postfix, the capture server)

IN_NAMESPACE = "KENIN_LOAD_NAMESPACE"
# The DNS server's address, on the namespace's loopback interface but outside 127.0.0.0/8,
# which libunbound (opendkim) will not query by default.
DNS_ADDRESS = "192.0.2.53"
CONFIGS = {  # name: [(milter, transport)], in the order of every round
    "none": [],
    "null/unix": [("null", "unix")],
    "kenind/unix": [("kenind", "unix")],
    "kenind/inet": [("kenind", "inet")],
    # [score] enabled: the score header as a second inserted field (off by default)
    "kenind+score/unix": [("kenind+score", "unix")],
    "opendkim/unix": [("opendkim", "unix")],
    "opendkim/inet": [("opendkim", "inet")],
    "opendkim+opendmarc/unix": [("opendkim", "unix"), ("opendmarc", "unix")],
}
RSS_LIMIT_MB = 64
BIG_LIMIT_MB = 8


# --- SMTP clients -----------------------------------------------------------------------------

class SmtpError(Exception):
    pass


def read_reply(stream):
    """(code, text) of one SMTP reply, multi-line replies joined."""
    lines = []
    while True:
        line = stream.readline(65536)
        if not line:
            raise SmtpError("connection closed")
        lines.append(line.rstrip(b"\r\n").decode("latin-1"))
        if line[3:4] != b"-":
            return int(lines[-1][:3]), " | ".join(lines)


def expect(stream, code, what):
    got, text = read_reply(stream)
    if got != code:
        raise SmtpError(f"{what}: {text}")
    return text


def send_session(port, batch, timeout=300):
    """One SMTP session sending every Item of `batch` (MAIL, RCPT and DATA pipelined, RFC 2920).
    Returns [error or None] per item."""
    results = []
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        stream = s.makefile("rb")
        expect(stream, 220, "banner")
        s.sendall(f"EHLO {load_corpus.HELO}\r\n".encode())
        expect(stream, 250, "EHLO")
        for item in batch:
            s.sendall(f"MAIL FROM:<{item.mail_from}>\r\nRCPT TO:<{item.rcpt}>\r\nDATA\r\n"
                      .encode())
            try:
                expect(stream, 250, "MAIL FROM")
                expect(stream, 250, "RCPT TO")
                expect(stream, 354, "DATA")
            except SmtpError as e:
                results.append(str(e))
                s.sendall(b"RSET\r\n")
                read_reply(stream)
                continue
            s.sendall(item.wire + b".\r\n")
            code, text = read_reply(stream)
            results.append(None if code == 250 else f"end of DATA: {text}")
        s.sendall(b"QUIT\r\n")
        read_reply(stream)
    return results


def send_load(port, items, clients, per_session):
    """Sends `items` over `clients` concurrent connections, `per_session` messages each before
    a new connection. Returns (start time, last reply time, [errors])."""
    lock = threading.Lock()
    batches = [items[i:i + per_session] for i in range(0, len(items), per_session)]
    position = [0]
    errors = []
    done = [0.0]

    def worker():
        while True:
            with lock:
                if position[0] >= len(batches):
                    return
                batch = batches[position[0]]
                position[0] += 1
            try:
                problems = [p for p in send_session(port, batch) if p]
            except (OSError, SmtpError) as e:
                problems = [f"session: {e!r}"] * len(batch)
            with lock:
                errors.extend(problems)
                done[0] = time.monotonic()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return started, done[0], errors


# --- the next hop: smtp-sink, counting --------------------------------------------------------

class Sink:
    """Postfix's smtp-sink on a free port with its running counter (-c): "mesg=N" each time a
    DATA completes, read here as it comes, with the time it came."""

    def __init__(self):
        self.count = 0
        self.changed = threading.Condition()
        self.port = None
        self.proc = None

    def start(self):
        for _ in range(5):
            self.port = mta.free_tcp_port()
            self.proc = subprocess.Popen(["smtp-sink", "-c", "-u", "nobody",
                                          f"127.0.0.1:{self.port}", "1024"],
                                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                         stdin=subprocess.DEVNULL,
                                         preexec_fn=mta.die_with_parent())
            if mta.wait_for_listener(self.port, time.monotonic() + 5,
                                     lambda: self.proc.poll() is None):
                threading.Thread(target=self.read, daemon=True).start()
                return self
            self.stop()
        raise RuntimeError("smtp-sink did not start")

    def read(self):
        pending = b""
        while True:
            data = self.proc.stdout.read1(4096)
            if not data:
                return
            pending += data
            *records, pending = pending.split(b"\r")
            for record in records:
                m = re.search(rb"mesg=(\d+)", record)
                if m:
                    with self.changed:
                        self.count = max(self.count, int(m[1]))
                        self.changed.notify_all()

    def wait_for(self, count, timeout):
        """The time the counter reached `count`, or None after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while self.count < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                self.changed.wait(left)
            return time.monotonic()

    def stop(self):
        milters.stop_process(self.proc)


# --- measuring --------------------------------------------------------------------------------

def machine_cpu_seconds():
    """Busy CPU time of the whole machine, all cores (/proc/stat: all but idle and iowait)."""
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / milters.CLOCK_TICKS


def load_average():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


class Bench:
    def __init__(self, args, workdir, keys, dns_proc):
        self.args, self.workdir, self.keys, self.dns_proc = args, workdir, keys, dns_proc
        self.runs = 0

    def start_milters(self, spec, rundir, metrics="off"):
        started = []
        try:
            for name, transport in spec:
                if name in ("kenind", "kenind+score"):
                    score = "[score]\nenabled = true\n" if name == "kenind+score" else ""
                    m = milters.kenind(self.args.kenind, rundir, transport,
                                       f"{DNS_ADDRESS}:53", metrics,
                                       self.args.kenind_config + score)
                elif name == "null":
                    m = milters.null_milter(self.args.null_milter, rundir, transport)
                elif name == "opendkim":
                    m = milters.opendkim(rundir, transport, DNS_ADDRESS)
                else:
                    m = milters.opendmarc(rundir, transport)
                started.append(m.start())
        except BaseException:
            for m in started:
                m.stop()
            raise
        return started

    def rundir(self, label):
        self.runs += 1
        path = os.path.join(self.workdir, f"{self.runs:02d}-{label.replace('/', '-')}")
        os.makedirs(path, mode=0o755)
        return path

    def postfix(self, rundir, relay_port, running):
        settings = {"default_process_limit": str(self.args.clients + 50), "in_flow_delay": "0s",
                    "message_size_limit": str(200 << 20), "mailbox_size_limit": "0",
                    "virtual_mailbox_limit": "0"}
        milter_list = ", ".join(m.endpoint.postfix for m in running)
        return mta.PrivatePostfix(rundir, relay_port, milter_list, settings)

    def check(self, name, spec, samples):
        """Sends `samples` through `name` to the capture server; [problems]."""
        rundir = self.rundir(f"check-{name}")
        running = self.start_milters(spec, rundir)
        try:
            with mta.CaptureSink(os.path.join(rundir, "delivered")) as sink, \
                    self.postfix(rundir, sink.port, running) as postfix:
                _, _, errors = send_load(postfix.port, samples, 2, 1)
                names = [item.name for item in samples]
                delivered = sink.wait_for(names, 60)
                problems = errors + [f"{n}: not delivered" for n in names if n not in delivered]
                for item in samples:
                    for message in delivered.get(item.name, [])[:1]:
                        problems += verdict_problems(name, item, message)
                problems += warnings_of(postfix)
        finally:
            for m in running:
                m.stop()
        return problems

    def measure(self, name, spec, items, sink):
        """One timed run of configuration `name`: a dict of what was measured."""
        args = self.args
        rundir = self.rundir(name)
        running = self.start_milters(spec, rundir)
        try:
            with self.postfix(rundir, sink.port, running) as postfix:
                warm = items[:args.warmup]
                base = sink.count
                _, _, errors = send_load(postfix.port, warm, args.clients, args.per_session)
                if errors or sink.wait_for(base + len(warm), 120) is None:
                    raise RuntimeError(f"{name}: warm-up failed: {errors[:3]}{postfix.log_tail()}")
                base = sink.count
                cpu0 = [m.cpu_seconds() for m in running]
                rest0 = self.other_cpu(postfix, sink)
                started, replied, errors = send_load(postfix.port, items, args.clients,
                                                     args.per_session)
                finished = sink.wait_for(base + len(items) - len(errors), 300)
                cpu1 = [m.cpu_seconds() for m in running]
                rest1 = self.other_cpu(postfix, sink)
                memory = {m.name: m.memory_kb() for m in running}
                warnings = warnings_of(postfix)
        finally:
            for m in running:
                m.stop()
        if errors or finished is None or warnings:
            raise RuntimeError(f"{name}: {len(errors)} refused {errors[:3]}, "
                               f"{'not all delivered, ' if finished is None else ''}"
                               f"Postfix warnings: {warnings[:5]}")
        count = len(items)
        return {"config": name, "messages": count, "seconds": finished - started,
                "msg_per_s": count / (finished - started),
                "accept_seconds": replied - started,
                "milter_cpu_ms": {m.name: 1000 * (c1 - c0) / count
                                  for m, c0, c1 in zip(running, cpu0, cpu1)},
                **{f"{part}_cpu_ms": 1000 * (rest1[part] - rest0[part]) / count for part in rest0},
                "memory_kb": memory, "load": load_average()}

    def other_cpu(self, postfix, sink):
        """CPU seconds so far of everything but the milters: Postfix (master and its
        children), the DNS server, this script (the SMTP clients), smtp-sink, the machine."""
        here = os.times()
        return {"postfix": milters.family_cpu_seconds(postfix.proc.pid),
                "dns": milters.process_cpu_seconds(self.dns_proc.pid),
                "client": here.user + here.system,
                "sink": milters.process_cpu_seconds(sink.proc.pid),
                "machine": machine_cpu_seconds()}

    def rss(self, items, big, sink):
        """Criterion 5: kenind's memory under load with a full DNS cache, and what a big message
        adds to its peak."""
        rundir = self.rundir("rss")
        metrics_port = mta.free_tcp_port()
        [kenind] = self.start_milters([("kenind", "unix")], rundir,
                                      metrics=f"127.0.0.1:{metrics_port}")
        try:
            with self.postfix(rundir, sink.port, [kenind]) as postfix:
                base = sink.count
                with RssSampler(kenind) as during_load:
                    started, _, errors = send_load(postfix.port, items, self.args.clients,
                                                   self.args.per_session)
                    finished = sink.wait_for(base + len(items) - len(errors), 600)
                after_load = kenind.memory_kb()
                cache = scrape(metrics_port, ("kenin_dns_cache_entries",
                                              "kenin_dns_cache_evictions_total",
                                              "kenin_dns_cache_misses_total"))
                time.sleep(1)
                kenind.reset_peak()
                before_big = kenind.memory_kb()
                base = sink.count
                with RssSampler(kenind) as during_big:
                    _, _, big_errors = send_load(postfix.port, [big], 1, 1)
                    big_done = sink.wait_for(base + 1, 300)
                after_big = kenind.memory_kb()
                warnings = warnings_of(postfix)
        finally:
            kenind.stop()
        lines = [line for line in kenind.log_text().splitlines() if "total_ms=" in line]
        big_line = lines[-1] if lines else ""
        all_pass = re.compile(r"dkim=pass\S* spf=pass dmarc=pass")
        passes = sum(1 for line in lines[:-1] if all_pass.search(line))
        peak_big = max(after_big["VmHWM"], during_big.max_kb)
        return {"messages": len(items), "errors": errors + big_errors, "warnings": warnings,
                "delivered": finished is not None and big_done is not None,
                "msg_per_s": len(items) / (finished - started) if finished else None,
                "rss_max_kb": max(during_load.max_kb, after_load["VmRSS"]),
                "hwm_kb": after_load["VmHWM"], "rss_after_kb": after_load["VmRSS"],
                "cache": cache, "all_pass": passes == len(items),
                "big_before_kb": before_big, "big_after_kb": after_big,
                "big_rss_max_kb": during_big.max_kb,
                "big_added_kb": peak_big - before_big["VmRSS"],
                "big_line": big_line, "big_size": big.body_size}


class RssSampler:
    """The largest VmRSS of a milter seen every 50 ms while the `with` block runs (VmHWM,
    read at the end as well, catches what falls between two samples)."""

    def __init__(self, milter):
        self.milter = milter
        self.max_kb = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self):
        while not self.stop.wait(0.05):
            self.max_kb = max(self.max_kb, self.milter.memory_kb()["VmRSS"])

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()
        return False


# Postfix's cleanup compares a new queue file's time stamp with its clock; on this VM they are
# a second apart now and then. Harmless to the measurement (one extra utime call).
CLOCK_WARNING = re.compile(r"file system clock is \d+ seconds? ahead|resetting file time stamps")


def warnings_of(postfix):
    """Postfix's log lines about milters, warnings and errors, but for CLOCK_WARNING."""
    return [w for w in postfix.milter_warnings() if not CLOCK_WARNING.search(w)]


def scrape(port, names):
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    out = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and parts[0] in names:
            out[parts[0]] = float(parts[1])
    return out


# --- checking verdicts ------------------------------------------------------------------------

def our_verdicts(message):
    """{method: [results]} over every Authentication-Results field with our authserv-id."""
    results = {}
    for name, raw in messages.split_fields(message):
        if name == "authentication-results" and \
                messages.authserv_id_of(raw) == load_corpus.AUTHSERV_ID:
            for method, result, _ in messages.parse_ar(raw)[1]:
                results.setdefault(method, []).append(result)
    return results


def verdict_problems(config, item, message):
    got = our_verdicts(message)
    want = {}
    if "kenind" in config or "opendkim" in config:
        want["dkim"] = ["pass"] * len(item.selectors)
    if "kenind" in config or "opendmarc" in config:
        want["dmarc"] = ["pass"]
    if "kenind" in config:
        want["spf"] = ["pass"]
    wrong = {m: got.get(m) for m in want if sorted(got.get(m) or []) != want[m]}
    if config in ("none", "null/unix") and got:
        wrong = got
    return [f"{item.name} ({'+'.join(item.selectors)}): {wrong}"] if wrong else []


def samples_of(items):
    """One message of every (size, signatures) shape in `items`."""
    seen, out = set(), []
    for item in items:
        shape = (item.body_size, item.selectors)
        if shape not in seen:
            seen.add(shape)
            out.append(item)
    return out


# --- the report -------------------------------------------------------------------------------

def median(values):
    return statistics.median(values) if values else float("nan")


def milter_cpu(run):
    return sum(run["milter_cpu_ms"].values())


def rest_cpu(run):
    return run["dns_cpu_ms"] + run["client_cpu_ms"] + run["sink_cpu_ms"]


def path_cpu(run):
    """CPU per message of the whole mail path: what the configuration costs on any machine."""
    return milter_cpu(run) + run["postfix_cpu_ms"] + rest_cpu(run)


def report(results, rss, args):
    by_config = {}
    for r in results:
        by_config.setdefault(r["config"], []).append(r)
    print(f"\n{args.messages} messages per run, {args.clients} SMTP clients, "
          f"{args.per_session} message(s) per session, {args.rounds} rounds; medians [min-max]")
    print("CPU in ms per message: the milter process(es); Postfix (master and children); the rest"
          " of the mail path (DNS server, SMTP clients, smtp-sink); all three (\"path\"); the whole"
          " machine (other work included)")
    print(f"{'configuration':24} {'msg/s':>20} {'milter':>7} {'Postfix':>7} {'rest':>6} "
          f"{'path':>6} {'machine':>7} {'VmHWM MB':>8}")
    for name, runs in by_config.items():
        rates = [r["msg_per_s"] for r in runs]
        names = list(runs[0]["milter_cpu_ms"])
        parts = "+".join(f"{m} {median([r['milter_cpu_ms'][m] for r in runs]):.3f}"
                         for m in names) if len(names) > 1 else ""
        hwm = [max((v["VmHWM"] for v in r["memory_kb"].values()), default=0) / 1024 for r in runs]
        print(f"{name:24} {median(rates):7.1f} [{min(rates):4.0f}-{max(rates):4.0f}] "
              f"{median([milter_cpu(r) for r in runs]):7.3f} "
              f"{median([r['postfix_cpu_ms'] for r in runs]):7.3f} "
              f"{median([rest_cpu(r) for r in runs]):6.3f} "
              f"{median([path_cpu(r) for r in runs]):6.3f} "
              f"{median([r['machine_cpu_ms'] for r in runs]):7.3f} "
              f"{median(hwm):8.1f}" + (f"  ({parts})" if parts else ""))
    loads = [r["load"] for r in results]
    print(f"load average (1 min) at the end of each run: {' '.join(loads)}")

    def paired(a, b, key):
        """Per-round ratios a/b (runs of the same round), their median."""
        ra, rb = by_config.get(a, []), by_config.get(b, [])
        ratios = [key(x) / key(y) for x, y in zip(ra, rb) if key(y)]
        return median(ratios), ratios

    rate = lambda r: r["msg_per_s"]  # noqa: E731
    cpu = milter_cpu
    criteria = [
        ("3a kenind/unix msg/s vs null milter", "kenind/unix", "null/unix", rate, ">=", 0.9),
        ("3b kenind/unix msg/s vs opendkim+opendmarc", "kenind/unix", "opendkim+opendmarc/unix",
         rate, ">=", 1.5),
        ("3c kenind CPU/msg vs opendkim+opendmarc", "kenind/unix", "opendkim+opendmarc/unix",
         cpu, "<=", 0.5),
        ("4  kenind inet vs unix msg/s", "kenind/inet", "kenind/unix", rate, ">=", 0.9),
        ("-- kenind+score vs kenind/unix msg/s", "kenind+score/unix", "kenind/unix", rate, None,
         None),
        ("-- opendkim inet vs unix msg/s", "opendkim/inet", "opendkim/unix", rate, None, None),
        ("-- null milter vs no milter msg/s", "null/unix", "none", rate, None, None),
        ("-- kenind/unix vs opendkim/unix msg/s", "kenind/unix", "opendkim/unix", rate, None, None),
        ("-- kenind CPU/msg vs null milter", "kenind/unix", "null/unix", cpu, None, None),
        ("-- kenind/unix path CPU/msg vs null milter", "kenind/unix", "null/unix", path_cpu, None,
         None),
        ("-- kenind/inet path CPU/msg vs kenind/unix", "kenind/inet", "kenind/unix", path_cpu, None,
         None),
    ]
    print("\nratios (median of the per-round ratios [each round])")
    verdicts = {}
    for label, a, b, key, op, bound in criteria:
        if a not in by_config or b not in by_config:
            continue
        value, ratios = paired(a, b, key)
        each = " ".join(f"{x:.2f}" for x in ratios)
        if op:
            ok = value >= bound if op == ">=" else value <= bound
            verdicts[label] = ok
            print(f"{label:44} {value:6.2f} [{each}]  {op} {bound}: {'holds' if ok else 'FAILS'}")
        else:
            print(f"{label:44} {value:6.2f} [{each}]")
    if rss:
        cache = rss["cache"]
        print(f"\nRSS (kenind/unix, {rss['messages']} messages, one sender domain each, "
              f"{rss['msg_per_s'] or 0:.0f} msg/s, all dkim/spf/dmarc pass: {rss['all_pass']}): "
              f"DNS cache {cache.get('kenin_dns_cache_entries', 0):.0f} entries, "
              f"{cache.get('kenin_dns_cache_evictions_total', 0):.0f} evictions; "
              f"VmRSS max {rss['rss_max_kb'] / 1024:.1f} MB, VmHWM {rss['hwm_kb'] / 1024:.1f} MB")
        ok = rss["hwm_kb"] < RSS_LIMIT_MB * 1024 and rss["delivered"] and not rss["errors"]
        verdicts["5a kenind RSS under load"] = ok
        print(f"{'5a kenind VmHWM under load':44} {rss['hwm_kb'] / 1024:6.1f} MB  "
              f"< {RSS_LIMIT_MB} MB: "
              f"{'holds' if ok else 'FAILS'}")
        added = rss["big_added_kb"] / 1024
        big_ok = added < BIG_LIMIT_MB and "dkim=pass" in rss["big_line"]
        verdicts["5b 50 MB message"] = big_ok
        print(f"{'5b %d MB message: VmHWM added' % (rss['big_size'] >> 20):44} {added:6.1f} MB  "
              f"< {BIG_LIMIT_MB} MB: {'holds' if big_ok else 'FAILS'} (VmRSS before "
              f"{rss['big_before_kb']['VmRSS'] / 1024:.1f} MB; VmHWM after "
              f"{rss['big_after_kb']['VmHWM'] / 1024:.1f} MB, VmRSS sampled at most "
              f"{rss['big_rss_max_kb'] / 1024:.1f} MB; "
              f"kenind: {rss['big_line'].split('kenind: ')[-1]})")
    return verdicts


# --- setting up -------------------------------------------------------------------------------

def enter_namespace():
    """Re-runs this script in new network and mount namespaces (unshare)."""
    env = dict(os.environ, **{IN_NAMESPACE: "1"})
    argv = ["unshare", "--net", "--mount", "--propagation", "private", sys.executable,
            os.path.abspath(__file__), *sys.argv[1:]]
    os.execvpe("unshare", argv, env)


def prepare_namespace(workdir):
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    subprocess.run(["ip", "address", "add", f"{DNS_ADDRESS}/32", "dev", "lo"], check=True)
    resolv = os.path.join(workdir, "resolv.conf")
    with open(resolv, "w") as f:
        f.write("# bench/load: the benchmark's DNS server, in this namespace only\n"
                f"nameserver {DNS_ADDRESS}\noptions timeout:2 attempts:2\n")
    subprocess.run(["mount", "--bind", resolv, "/etc/resolv.conf"], check=True)


def corpus(args, workdir):
    """(keys, timed items, RSS items, big item), from --corpus-cache when it matches."""
    params = {"messages": args.messages, "domains": args.domains, "rss": args.rss_messages,
              "big_mb": args.big_mb, "version": 2}
    if args.corpus_cache and os.path.exists(args.corpus_cache):
        with open(args.corpus_cache, "rb") as f:
            cached = pickle.load(f)
        if cached["params"] == params:
            print(f"corpus from {args.corpus_cache}", flush=True)
            return cached["data"]
    begun = time.monotonic()
    kenin = dnstest.Kenin(args.kenin, workdir)
    keys = load_corpus.make_keys(kenin)
    items = load_corpus.build(keys, args.messages, args.domains, prefix="m")
    rss_items = load_corpus.build(keys, args.rss_messages, args.rss_messages, prefix="r") \
        if args.rss_messages else []
    big = load_corpus.big_message(kenin, keys, args.big_mb << 20, workdir) if args.big_mb else None
    print(f"corpus signed in {time.monotonic() - begun:.0f} s", flush=True)
    data = (keys, items, rss_items, big)
    if args.corpus_cache:
        with open(args.corpus_cache, "wb") as f:
            pickle.dump({"params": params, "data": data}, f)
    return data


def start_dns(records, workdir, address=DNS_ADDRESS, port=53, zone=load_corpus.ZONE):
    """dns_server.py answering `records`; the soak (bench/soak) runs it on a loopback port."""
    path = os.path.join(workdir, "records.json")
    with open(path, "w") as f:
        json.dump(records, f)
    proc = subprocess.Popen([sys.executable, os.path.join(HERE, "dns_server.py"), "--records", path,
                             "--zone", zone, "--address", address, "--port", str(port)],
                            stdout=subprocess.PIPE,
                            stdin=subprocess.DEVNULL, preexec_fn=mta.die_with_parent())
    if proc.stdout.readline().strip() != b"READY":
        raise RuntimeError("the DNS server did not start")
    return proc


def describe(items):
    sizes = {}
    for item in items:
        sizes[item.body_size] = sizes.get(item.body_size, 0) + 1
    signatures = sum(len(i.selectors) for i in items)
    algorithms = {}
    for item in items:
        for s in item.selectors:
            algorithms[s] = algorithms.get(s, 0) + 1
    return (f"{len(items)} messages, bodies {sizes}, {signatures} signatures {algorithms}, "
            f"{sum(1 for i in items if len(i.selectors) == 2)} with two")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kenin", required=True, help="kenin (keygen, sign)")
    parser.add_argument("--kenind", required=True)
    parser.add_argument("--null-milter", required=True, help="bench/load/null_milter")
    parser.add_argument("--messages", type=int, default=2000, help="per timed run")
    parser.add_argument("--warmup", type=int, default=200, help="messages before timing")
    parser.add_argument("--clients", type=int, default=16, help="concurrent SMTP sessions")
    parser.add_argument("--per-session", type=int, default=1, help="messages per SMTP session")
    parser.add_argument("--domains", type=int, default=100, help="sender domains, timed runs")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--configs", default=",".join(CONFIGS),
                        help="comma-separated subset of: " + ", ".join(CONFIGS))
    parser.add_argument("--rss-messages", type=int, default=3500,
                        help="criterion 5 run, one domain each (0: skip)")
    parser.add_argument("--big-mb", type=int, default=50, help="the big message (0: skip)")
    parser.add_argument("--kenind-config", default="",
                        help="TOML added to kenind's configuration file "
                             "(\\n for a new line), e.g. '[score]\\nenabled = false'")
    parser.add_argument("--no-check", action="store_true", help="skip the verdict check")
    parser.add_argument("--corpus-cache", help="pickle of the signed corpus, reused if it matches")
    parser.add_argument("--json", help="write every measurement here")
    parser.add_argument("--workdir-base", default="/dev/shm" if os.path.isdir("/dev/shm") else None,
                        help="where the work directory goes (default /dev/shm: queue on tmpfs)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    for name in ("kenin", "kenind", "null_milter"):
        setattr(args, name, os.path.abspath(getattr(args, name)))
    args.kenind_config = args.kenind_config.replace("\\n", "\n")
    configs = args.configs.split(",")
    unknown = [c for c in configs if c not in CONFIGS]
    if unknown:
        parser.error(f"unknown configuration(s) {unknown}")
    if os.geteuid() != 0:
        print("needs root (a private Postfix, network and mount namespaces)")
        return 77
    for tool in (mta.POSTFIX, "/usr/sbin/smtp-sink", "/usr/sbin/opendkim", "/usr/sbin/opendmarc",
                 "unshare", "ip"):
        if not shutil.which(tool):
            print(f"{tool} not found (scripts/install-deps.sh installs it)")
            return 1
    if not os.environ.get(IN_NAMESPACE):
        enter_namespace()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda n, _frame: sys.exit(128 + n))
    workdir = tempfile.mkdtemp(prefix="kenin-load-", dir=args.workdir_base)
    os.chmod(workdir, 0o755)
    failed = False
    try:
        prepare_namespace(workdir)
        keys, items, rss_items, big = corpus(args, workdir)
        print("timed corpus: " + describe(items), flush=True)
        records = load_corpus.dns_records(keys, max(args.domains, args.rss_messages, 1))
        dns_proc = start_dns(records, workdir)
        bench = Bench(args, workdir, keys, dns_proc)
        sink = Sink().start()
        try:
            if not args.no_check:
                samples = samples_of(items)
                for name in configs:
                    problems = bench.check(name, CONFIGS[name], samples)
                    print(f"{'PASS' if not problems else 'FAIL'} verdicts through {name} "
                          f"({len(samples)} messages)" +
                          "".join(f"\n  {p}" for p in problems[:10]), flush=True)
                    failed |= bool(problems)
            results = []
            for round_number in range(args.rounds):
                for name in configs:
                    r = bench.measure(name, CONFIGS[name], items, sink)
                    r["round"] = round_number
                    results.append(r)
                    print(f"round {round_number + 1} {name:26} {r['msg_per_s']:7.1f} msg/s  "
                          f"milter CPU {sum(r['milter_cpu_ms'].values()):.3f} ms/msg  "
                          f"load {r['load']}", flush=True)
            rss = None
            if args.rss_messages and big is not None:
                rss = bench.rss(rss_items, big, sink)
        finally:
            sink.stop()
            dns_proc.terminate()
            dns_proc.wait()
        verdicts = report(results, rss, args)
        if args.json:
            with open(args.json, "w") as f:
                json.dump({"args": vars(args), "runs": results, "rss": rss,
                           "verdicts": verdicts}, f, indent=1)
        failed |= not all(verdicts.values())
    except BaseException:
        failed = True
        raise
    finally:
        if args.keep or failed:
            print(f"work directory kept: {workdir}", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
