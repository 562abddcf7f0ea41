#!/usr/bin/python3
"""Soak (issue 8): 100,000 messages -- good, bad and malformed -- through Postfix into kenind,
every one delivered exactly once with kenind's verdict, while kenind's memory and file
descriptors are watched.

    K SMTP clients --> Postfix smtpd --milter--> kenind --> dns_server.py (127.0.0.1)
                           | relay
                           v
                     counting sink (checks every message's Authentication-Results)

The parts are bench/load's and tests/e2e's: the private Postfix (mta.PrivatePostfix), kenind
started as postfix_load.py starts it (milters.kenind), its DNS server (dns_server.py), its
pipelined SMTP clients (postfix_load.send_load), the capture server (mta.CaptureSink, counting
in memory here: soak_sink.py). The mail is soak_corpus.py's: templates signed once, each sent
many times with a header and a recipient of its own.

The messages go in chunks of --sample-every; after each chunk, once the sink has every message
of it and kenind has no milter connection open, kenind's VmRSS, VmHWM, threads and open file
descriptors are read from /proc, and its DNS cache from /metrics. Chunks alternate one message
per SMTP session and five. The DNS cache is smaller than the default ([cache] capacity 2,000;
200 for a short run; --cache-capacity) so that the churn of new sender domains fills it before
the baseline and it evicts through the rest of the run: growth after the baseline is then not
the cache filling.

Criteria (issue 8, "Done when" 4), each printed with holds/FAILS:
  - every message accepted by Postfix and delivered exactly once, with exactly one
    Authentication-Results of kenind's whose dkim, spf and dmarc results are the expected ones;
    nothing else delivered; no milter warning in Postfix's log;
  - kenind's VmRSS at the end within 10% of its VmRSS after the baseline (10,000 messages;
    a fifth of the run when shorter than 20,000);
  - no file-descriptor growth: open descriptors at the end no more than at the baseline;
  - kenind alive throughout, one log line per message, exit 0 on SIGTERM.

    bench/soak/soak.py --kenin build-load/tools/kenin --kenind build-load/milter/kenind \\
        [--messages 100000] [--clients 16] [--json out.json]

Needs root (a private Postfix). Exit status 0 when every criterion holds, 1 otherwise, 77 when
not root.
"""
import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import soak_corpus  # noqa: E402  (also puts bench/load, tests/e2e, tests/integration on the path)
import soak_sink  # noqa: E402
import dnstest  # noqa: E402  (tests/integration: the kenin binary)
import milters  # noqa: E402  (bench/load: kenind started and read from /proc)
import mta  # noqa: E402  (tests/e2e: the private Postfix)
import procstat  # noqa: E402  (tests/integration: /proc/PID/status)
import postfix_load  # noqa: E402  (bench/load: SMTP clients, the DNS server, warnings)

CHURN_SHARE = 0.35          # copies whose MAIL FROM domain is new (spf=none, a new DNS name)
PER_SESSION = (1, 5)        # messages per SMTP session, alternating chunk by chunk
RSS_BOUND = 0.10
DELIVERY_WAIT = 180         # seconds for a chunk's last message to reach the sink
# Postfix's own warnings and errors, and milter verdicts other than accept (the case names in
# message-ids say "permerror", so mta.py's broader pattern would match every such message).
POSTFIX_PROBLEM = re.compile(r"postfix/[\w/-]+\[\d+\]: (?:(?:warning|error|fatal|panic): |"
                             r".*\bmilter-(?:reject|hold|discard)\b)")
METRICS = ("kenin_dns_cache_entries", "kenin_dns_cache_evictions_total",
           "kenin_milter_connections_active", "kenin_errors_total", "kenin_messages_total")


class Copy:
    """Copy `seq` of a template: what postfix_load.send_session sends (mail_from, rcpt, wire)."""
    __slots__ = ("seq", "template", "envelope_domain")

    def __init__(self, seq, template, envelope_domain):
        self.seq, self.template, self.envelope_domain = seq, template, envelope_domain

    @property
    def mail_from(self):
        return f"bounces@{self.envelope_domain}"

    @property
    def rcpt(self):
        return f"s{self.seq:06d}@{soak_corpus.RCPT_DOMAIN}"

    @property
    def wire(self):
        # Unsigned and on top: every copy differs, no signature changes.
        return b"X-Soak-Copy: %d\r\n" % self.seq + self.template.wire

    def expected(self):
        return {**self.template.expected(self.envelope_domain), "case": self.template.case}


def plan(templates, count, seed):
    rng = random.Random(seed)
    copies = []
    for seq in range(count):
        t = rng.choice(templates)
        churn = t.churn and rng.random() < CHURN_SHARE
        copies.append(Copy(seq, t, soak_corpus.churn_domain(seq) if churn else t.own_domain))
    return copies


# --- kenind, read from outside ------------------------------------------------------------------

def metric_sums(port, names):
    """{name: value summed over its label sets} from kenind's /metrics."""
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10).read().decode()
    out = dict.fromkeys(names, 0.0)
    for line in text.splitlines():
        name = re.split(r"[{ ]", line, maxsplit=1)[0]
        if name in out:
            out[name] += float(line.rsplit(" ", 1)[1])
    return out


def fd_kinds(pid):
    """{"socket": n, "pipe": n, "anon_inode": n, "file": n} of the open descriptors."""
    kinds = {}
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            target = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        kind = target.split(":", 1)[0] if ":[" in target or target.startswith("anon_inode") \
            else "file"
        kinds[kind] = kinds.get(kind, 0) + 1
    return kinds


def sample(kenind, metrics_port, delivered, started):
    """kenind's state once it is idle: no milter connection open (waits up to 5 s for that)."""
    deadline = time.monotonic() + 5
    while True:
        metrics = metric_sums(metrics_port, METRICS)
        if metrics["kenin_milter_connections_active"] == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    status = procstat.status_values(kenind.proc.pid, ("VmRSS", "VmHWM", "Threads"))
    # The scrape above is a connection to kenind's metrics server, closed by kenind a moment
    # after we close it: the fewest descriptors over 100 ms leaves it out. A leak stays.
    readings = []
    for _ in range(5):
        readings.append(fd_kinds(kenind.proc.pid))
        time.sleep(0.02)
    kinds = min(readings, key=lambda k: sum(k.values()))
    return {"messages": delivered, "seconds": round(time.monotonic() - started, 2),
            "rss_kb": status["VmRSS"], "hwm_kb": status["VmHWM"], "threads": status["Threads"],
            "fds": sum(kinds.values()), "fd_kinds": kinds,
            "cache_entries": int(metrics["kenin_dns_cache_entries"]),
            "evictions": int(metrics["kenin_dns_cache_evictions_total"]),
            "milter_connections": int(metrics["kenin_milter_connections_active"]),
            "internal_errors": int(metrics["kenin_errors_total"]),
            "answered": int(metrics["kenin_messages_total"]),
            "load": postfix_load.load_average()}


def heap_in_use(kenind):
    """Bytes kenind's malloc has handed out and not had back: glibc's malloc_stats(), called in
    kenind by gdb, prints them to kenind's stderr (its log). Tells a leak (this grows) from RSS
    that is freed memory the allocator keeps. Called only while kenind is idle: no thread holds
    an arena lock that malloc_stats() would wait for."""
    marker = "Total (incl. mmap):"
    before = kenind.log_text().count(marker)
    subprocess.run(["gdb", "-p", str(kenind.proc.pid), "-batch", "-nx", "-ex",
                    "call (void) malloc_stats()"], capture_output=True, timeout=60, check=True)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        text = kenind.log_text()
        if text.count(marker) > before:
            m = re.search(r"in use bytes\s*=\s*(\d+)", text.rsplit(marker, 1)[1])
            if m:
                return int(m[1])
        time.sleep(0.05)
    raise RuntimeError("malloc_stats() printed nothing")


def kenind_log_summary(kenind):
    """Per-message lines (one per message answered), their slowest eom_ms and total_ms, and
    every other line that is not start/stop chatter."""
    lines = kenind.log_text().splitlines()
    per_message = [ln for ln in lines if " total_ms=" in ln]
    eom = [int(m[1]) for m in map(re.compile(r"eom_ms=(\d+)").search, per_message) if m]
    total = [int(m[1]) for m in map(re.compile(r"total_ms=(\d+)").search, per_message) if m]
    other = [ln for ln in lines if " total_ms=" not in ln and not ln.startswith("+ ")]
    errors = [ln for ln in other if re.search(r"error|fail|warn", ln, re.I)]
    return {"message_lines": len(per_message), "max_eom_ms": max(eom, default=0),
            "max_total_ms": max(total, default=0), "errors": errors, "other": other}


# --- the run --------------------------------------------------------------------------------

def start_dns(records, workdir):
    for _ in range(5):  # another process may take the port between pick and bind
        port = mta.free_tcp_port()
        try:
            return postfix_load.start_dns(records, workdir, "127.0.0.1", port), port
        except RuntimeError:
            continue
    raise RuntimeError("the DNS server did not start")


def run(args, workdir):
    """Sends every copy; returns the measurements (dict)."""
    begun = time.monotonic()
    kenin = dnstest.Kenin(args.kenin, workdir)
    templates, keys, mix = soak_corpus.build(kenin, workdir, args.templates, args.seed)
    copies = plan(templates, args.messages, args.seed + 1)
    print(f"{len(templates)} templates of {len(mix)} cases built in "
          f"{time.monotonic() - begun:.0f} s; {describe(copies)}", flush=True)
    dns_proc, dns_port = start_dns(soak_corpus.dns_records(keys), workdir)
    metrics_port = mta.free_tcp_port()
    config = f"[cache]\ncapacity = {args.cache_capacity}\n{args.kenind_config}"
    kenind = milters.kenind(args.kenind, workdir, args.transport, f"127.0.0.1:{dns_port}",
                            f"127.0.0.1:{metrics_port}", config).start()
    settings = {"default_process_limit": str(args.clients + 50), "in_flow_delay": "0s",
                "message_size_limit": str(64 << 20)}
    result = {"messages": args.messages, "clients": args.clients, "samples": [], "refused": [],
              "timeouts": 0, "kenind_died": False}
    try:
        with soak_sink.CountingSink(os.path.join(workdir, "sink"), args.messages,
                                    lambda seq: copies[seq].expected()) as sink, \
                mta.PrivatePostfix(workdir, sink.port, kenind.endpoint.postfix, settings) \
                as postfix:
            started = time.monotonic()
            result["samples"].append(sample(kenind, metrics_port, 0, started))
            for number, first in enumerate(range(0, args.messages, args.sample_every)):
                chunk = copies[first:first + args.sample_every]
                _, _, errors = postfix_load.send_load(postfix.port, chunk, args.clients,
                                                      PER_SESSION[number % len(PER_SESSION)])
                result["refused"] += errors
                sent = first + len(chunk)
                if not sink.wait_for(sent - len(result["refused"]), DELIVERY_WAIT):
                    result["timeouts"] += 1
                if kenind.proc.poll() is not None:
                    result["kenind_died"] = True
                    print(f"kenind ended (exit {kenind.proc.returncode}) after {sent} messages",
                          flush=True)
                    break
                s = sample(kenind, metrics_port, sink.delivered, started)
                result["samples"].append(s)
                if (number + 1) % args.print_every == 0 or sent == args.messages:
                    if args.heap_stats:
                        s["heap_kb"] = heap_in_use(kenind) // 1024
                    progress(s, sink, result)
            result["seconds"] = time.monotonic() - started
            time.sleep(2)  # idle: what stays is what kenind keeps
            if not result["kenind_died"]:
                result["end"] = sample(kenind, metrics_port, sink.delivered, started)
                if args.heap_stats:
                    result["end"]["heap_kb"] = heap_in_use(kenind) // 1024
            result["sink"] = {"delivered": sink.delivered, "received": sink.count,
                              "problems": sink.problems, "examples": sink.examples,
                              "missing": sink.missing(args.messages)[:20],
                              "distinct_headers": len(sink.parsed)}
            warnings = [ln for ln in postfix.log_text().splitlines()
                        if POSTFIX_PROBLEM.search(ln) and not postfix_load.CLOCK_WARNING.search(ln)]
            result["milter_warnings"] = [w for w in warnings if re.search(r"milter", w, re.I)]
            result["other_warnings"] = [w for w in warnings if w not in result["milter_warnings"]]
    finally:
        kenind.stop()
        dns_proc.terminate()
        dns_proc.wait()
    result["kenind_exit"] = kenind.proc.returncode
    result["kenind_log"] = kenind_log_summary(kenind)
    return result


def describe(copies):
    kinds, churn = {}, 0
    for c in copies:
        kinds[c.template.kind] = kinds.get(c.template.kind, 0) + 1
        churn += c.envelope_domain != c.template.own_domain
    size = sum(len(c.template.wire) for c in copies)
    return (f"{len(copies)} copies: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())) +
            f"; {churn} with a new MAIL FROM domain; {size / 1e6:.0f} MB in all")


def progress(s, sink, result):
    problems = sum(sink.problems.values()) + len(result["refused"])
    print(f"{s['messages']:7d} delivered  {s['seconds']:7.1f} s  "
          f"{s['messages'] / max(s['seconds'], 1e-9):6.1f} msg/s  "
          f"VmRSS {s['rss_kb'] / 1024:6.1f} MB  fds {s['fds']:3d}  threads {s['threads']:3d}  "
          f"cache {s['cache_entries']:5d} (evictions {s['evictions']})  problems {problems}  "
          f"load {s['load']}" + (f"  heap in use {s['heap_kb'] / 1024:.2f} MB" if "heap_kb" in s
                                 else ""), flush=True)


# --- the report -----------------------------------------------------------------------------

def baseline_of(result, baseline):
    for s in result["samples"]:
        if s["messages"] >= baseline:
            return s
    return None


def report(result, args):
    """Prints the figures and the criteria; returns {criterion: holds}."""
    samples = result["samples"][1:]
    end = result.get("end")
    base = baseline_of(result, args.baseline)
    sink = result.get("sink", {})
    log = result["kenind_log"]
    verdicts = {}
    print(f"\n{args.messages} messages, {args.clients} SMTP clients, "
          f"{result.get('seconds', 0):.0f} s: "
          f"{args.messages / max(result.get('seconds', 1), 1e-9):.1f} msg/s")
    print(f"sink: {sink.get('delivered', 0)} copies delivered ({sink.get('received', 0)} "
          f"deliveries), {sink.get('distinct_headers', 0)} distinct kenind headers; "
          f"refused by Postfix {len(result['refused'])}; chunks that timed out "
          f"{result['timeouts']}; problems {sink.get('problems', {})}")
    for line in sink.get("examples", [])[:10] + result["refused"][:5]:
        print(f"  {line}")
    delivered = (sink.get("delivered") == args.messages and not sink.get("problems")
                 and not result["refused"] and not result["milter_warnings"])
    verdicts["all delivered once, expected verdicts"] = delivered
    if result["milter_warnings"]:
        print("Postfix milter warnings:\n  " + "\n  ".join(result["milter_warnings"][:10]))
    if result["other_warnings"]:
        print(f"other Postfix warnings ({len(result['other_warnings'])}), e.g.:\n  " +
              "\n  ".join(result["other_warnings"][:5]))
    if base and end:
        ratio = end["rss_kb"] / base["rss_kb"]
        after = [s for s in samples if s["messages"] >= base["messages"]]
        print(f"kenind VmRSS: after {base['messages']} messages {base['rss_kb'] / 1024:.1f} MB, "
              f"at the end {end['rss_kb'] / 1024:.1f} MB (ratio {ratio:.3f}); "
              f"min/max after the baseline {min(s['rss_kb'] for s in after) / 1024:.1f}/"
              f"{max(s['rss_kb'] for s in after) / 1024:.1f} MB; VmHWM {end['hwm_kb'] / 1024:.1f} "
              f"MB; first sample {samples[0]['rss_kb'] / 1024:.1f} MB")
        fds = [s["fds"] for s in samples]
        print(f"kenind fds: min {min(fds)} max {max(fds)} at the baseline {base['fds']} at the "
              f"end {end['fds']} ({end['fd_kinds']}); threads {base['threads']} -> "
              f"{end['threads']}; DNS cache {base['cache_entries']} -> {end['cache_entries']} "
              f"entries, {end['evictions']} evictions; internal errors {end['internal_errors']}")
        if "heap_kb" in base and "heap_kb" in end:
            print(f"kenind heap in use (malloc_stats): after {base['messages']} messages "
                  f"{base['heap_kb'] / 1024:.2f} MB, at the end {end['heap_kb'] / 1024:.2f} MB")
        if args.skip_rss:
            print("VmRSS not checked (--skip-rss)")
        else:
            verdicts["VmRSS within 10% of the baseline's"] = abs(ratio - 1) <= RSS_BOUND
        verdicts["no fd growth"] = end["fds"] <= base["fds"]
    else:
        verdicts["VmRSS and fds sampled at the baseline and the end"] = False
    print(f"kenind: {log['message_lines']} per-message log lines, slowest eom_ms "
          f"{log['max_eom_ms']} total_ms {log['max_total_ms']}, exit {result['kenind_exit']}; "
          f"error lines {len(log['errors'])}" +
          "".join(f"\n  {ln}" for ln in log["errors"][:5]))
    verdicts["kenind alive, a log line per message, exit 0"] = (
        not result["kenind_died"] and result["kenind_exit"] == 0
        and log["message_lines"] == args.messages)
    print()
    for name, ok in verdicts.items():
        print(f"{name:48} {'holds' if ok else 'FAILS'}")
    return verdicts


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kenin", required=True, help="kenin (keygen, sign)")
    parser.add_argument("--kenind", required=True)
    parser.add_argument("--messages", type=int, default=100000)
    parser.add_argument("--clients", type=int, default=16, help="concurrent SMTP sessions")
    parser.add_argument("--sample-every", type=int, help="messages per chunk (default: 1,000, "
                        "or a twentieth of a shorter run)")
    parser.add_argument("--baseline", type=int, help="the RSS and fd baseline, in messages "
                        "(default 10,000, or a fifth of a run shorter than 20,000)")
    parser.add_argument("--templates", type=int, help="distinct messages (default: messages/40, "
                        "150..1500)")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--transport", choices=("unix", "inet"), default="unix")
    parser.add_argument("--cache-capacity", type=int, help="kenind [cache] capacity (default "
                        "2,000, or 200 for a run shorter than 20,000: full before the baseline)")
    parser.add_argument("--kenind-config", default="", help="more TOML for kenind (\\n: newline)")
    parser.add_argument("--skip-rss", action="store_true",
                        help="report VmRSS without checking it (sanitizer builds: ASan's "
                             "quarantine grows it by design)")
    parser.add_argument("--heap-stats", action="store_true",
                        help="also read kenind's heap in use (malloc_stats() through gdb) at each "
                             "printed line and at the end")
    parser.add_argument("--print-every", type=int, default=10, help="chunks between lines")
    parser.add_argument("--json", help="write every measurement here")
    parser.add_argument("--workdir-base", default="/dev/shm" if os.path.isdir("/dev/shm") else None,
                        help="where the work directory goes (default /dev/shm: queue on tmpfs)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    args.kenin, args.kenind = os.path.abspath(args.kenin), os.path.abspath(args.kenind)
    args.kenind_config = args.kenind_config.replace("\\n", "\n")
    args.sample_every = args.sample_every or max(50, min(1000, args.messages // 20))
    args.baseline = args.baseline or (10000 if args.messages >= 20000 else args.messages // 5)
    args.templates = args.templates or max(150, min(1500, args.messages // 40))
    if args.cache_capacity is None:
        args.cache_capacity = 2000 if args.messages >= 20000 else 200
    if os.geteuid() != 0:
        print("SKIP: needs root (a private Postfix instance runs its daemons as user postfix)")
        return 77
    for tool in (mta.POSTFIX, "openssl"):
        if not shutil.which(tool):
            print(f"{tool} not found (scripts/install-deps.sh installs it)")
            return 1
    for signum in (signal.SIGTERM, signal.SIGINT):  # unwind through the `with` blocks
        signal.signal(signum, lambda n, _frame: sys.exit(128 + n))
    workdir = tempfile.mkdtemp(prefix="kenin-soak-", dir=args.workdir_base)
    os.chmod(workdir, 0o755)
    failed = True
    try:
        result = run(args, workdir)
        verdicts = report(result, args)
        failed = not all(verdicts.values())
        if args.json:
            with open(args.json, "w") as f:
                json.dump({"args": vars(args), **result, "verdicts": verdicts}, f, indent=1)
    finally:
        if args.keep or failed:
            print(f"work directory kept: {workdir} (maillog, kenind.log)", file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
