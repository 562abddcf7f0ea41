"""Shared pieces of the integration tests: a real DNS server (ldns-testns) on loopback, the
`kenin` binary, keys and signed messages, and the pass/fail tally every script prints.

ldns-testns answers canned replies from a datafile and, with -v, logs every query it gets as
"query N: id ID: UDP|TCP SIZE bytes: NAME<TAB>IN<TAB>TYPE"; the tests count those lines to see
what kenin asked, over which transport. It answers nothing for a query no entry matches.
"""
import json
import os
import re
import shutil
import socket
import struct
import subprocess
import sys
import time

PROBE_NAME = "ready.kenin-integration.test."
# Every message is From: this domain, whatever its d=. `kenin verify` also evaluates DMARC for
# it; base_entries() answers those lookups NXDOMAIN, so they never wait for a timeout, and
# queries() leaves them out of what the cases count.
FROM_DOMAIN = "from.kenin-integration.test"
# The DMARC tree walk (RFC 9091 style) asks each parent name up to the TLD.
DMARC_NAMES = (f"_dmarc.{FROM_DOMAIN}.", "_dmarc.kenin-integration.test.", "_dmarc.test.")
QUERY_LINE = re.compile(r"^query \d+: id (\d+): (UDP|TCP) \d+ bytes: (\S+)\s+(\S+)\s+(\S+)")


def printable(text, keep_newlines=False):
    """Escapes what DNS data may bring into a report line: control and non-ASCII characters."""
    return "".join(c if 0x20 <= ord(c) < 0x7F or (keep_newlines and c == "\n") else
                   c.encode("unicode_escape").decode("ascii") for c in text)


class Tally:
    """Per-case PASS/FAIL lines and the final "N passed, M failed" line."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, condition, case, detail="", note=""):
        """`detail` explains a failure; `note` is shown on a pass (a measured value)."""
        if condition:
            self.passed += 1
            print(f"PASS {case}" + (f" ({printable(str(note))})" if note else ""), flush=True)
        else:
            self.failed += 1
            print(f"FAIL {case}: {printable(str(detail), keep_newlines=True)}", flush=True)
        return condition

    def finish(self):
        print(f"{self.passed} passed, {self.failed} failed", flush=True)
        return 1 if self.failed or not self.passed else 0


def dns_query(name, qtype=16, qclass=1, query_id=0x4B4E, flags=0x0100):
    """A minimal DNS query in wire format (RFC 1035 §4.1)."""
    wire = struct.pack("!HHHHHH", query_id, flags, 1, 0, 0, 0)
    for label in name.rstrip(".").split("."):
        wire += bytes([len(label)]) + label.encode()
    return wire + b"\0" + struct.pack("!HH", qtype, qclass)


def question_end(query):
    """Offset just past the question section of a wire-format message with one question."""
    pos = 12
    while query[pos] != 0:
        pos += 1 + query[pos]
    return pos + 5


def txt_reply(query, strings, reply_id=None, ttl=3600):
    """A wire-format reply to `query` with one TXT record of `strings` (bytes) at the qname."""
    qid = struct.unpack("!H", query[:2])[0] if reply_id is None else reply_id
    rdata = b"".join(bytes([len(s)]) + s for s in strings)
    answer = struct.pack("!HHHIH", 0xC00C, 16, 1, ttl, len(rdata)) + rdata
    return struct.pack("!HHHHHH", qid, 0x8400, 1, 1, 0, 0) + query[12:question_end(query)] + answer


def query_name(query):
    """The question name of a wire-format query, lower case, with the final dot."""
    labels, pos = [], 12
    while pos < len(query) and query[pos] != 0:
        labels.append(query[pos + 1:pos + 1 + query[pos]].decode("latin-1").lower())
        pos += 1 + query[pos]
    return ".".join(labels) + "."


def reply_id(data):
    return struct.unpack("!H", data[:2])[0] if len(data) >= 2 else None


def free_port():
    """A port free for both UDP and TCP on every address (ldns-testns binds 0.0.0.0)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
            udp.bind(("", 0))
            port = udp.getsockname()[1]
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
                try:
                    tcp.bind(("", port))
                except OSError:
                    continue
                return port


def base_entries():
    """The entry the harness asks to know the server is up, and NXDOMAIN for the DMARC
    lookups of FROM_DOMAIN (and of its parents)."""
    out = entry(PROBE_NAME, "TXT", answer=[f'{PROBE_NAME} 0 IN TXT "ready"'])
    for name in DMARC_NAMES:
        out += entry(name, rcode="NXDOMAIN", authority=[soa("kenin-integration.test.")])
    return out


def entry(qname, qtype="TXT", answer=(), authority=(), rcode="NOERROR", flags="QR AA",
          transport="", copy_id=True, question=None, match="opcode qtype qname"):
    """One ldns-testns ENTRY: `question` overrides the question section sent back."""
    lines = ["ENTRY_BEGIN", f"MATCH {match} {transport}".rstrip()]
    if copy_id:
        lines.append("ADJUST copy_id")
    lines += [f"REPLY {flags} {rcode}", "SECTION QUESTION", question or f"{qname} IN {qtype}"]
    if answer:
        lines += ["SECTION ANSWER", *answer]
    if authority:
        lines += ["SECTION AUTHORITY", *authority]
    lines.append("ENTRY_END")
    return "\n".join(lines) + "\n"


def soa(zone, minimum=300):
    return f"{zone} 300 IN SOA ns.{zone} hostmaster.{zone} 1 3600 600 86400 {minimum}"


def write_datafile(records, path):
    """An ldns-testns datafile at `path` answering {(name, type): TXT value} (None: NXDOMAIN),
    after base_entries(); returns `path`."""
    text = base_entries()
    for (name, qtype), value in records.items():
        if value is None:
            text += entry(name, qtype, rcode="NXDOMAIN", authority=[soa(name.split(".", 1)[1] or ".")])
        else:
            text += entry(name, qtype, answer=[f"{name} 3600 IN TXT {txt_strings(value, 255)}"])
    with open(path, "w") as f:
        f.write(text)
    return path


def _die_with_parent():
    """In the child: SIGKILL it when the script dies, even by SIGKILL (a CTest timeout)."""
    import ctypes
    import signal
    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)


class TestNs:
    """ldns-testns on a free port, verbose log in `log_path`; stopped on exit, even on error."""

    def __init__(self, datafile, log_path, binary="ldns-testns"):
        self.datafile = datafile
        self.log_path = log_path
        self.binary = shutil.which(binary) or binary
        self.proc = None
        self.port = None

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stop()
        return False

    def start(self):
        for _ in range(10):  # another process may take the port between the check and the bind
            self.port = free_port()
            with open(self.log_path, "wb") as log:
                self.proc = subprocess.Popen([self.binary, "-v", "-p", str(self.port), self.datafile],
                                             stdout=log, stderr=subprocess.STDOUT,
                                             stdin=subprocess.DEVNULL, preexec_fn=_die_with_parent)
            if self._wait_ready(deadline=time.monotonic() + 5):
                return
            self.stop()
        raise RuntimeError(f"ldns-testns did not start; log:\n{self.log_text()[-2000:]}")

    def _wait_ready(self, deadline):
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False  # e.g. "bind: Address already in use": try another port
            if self._answers_udp() and self._answers_tcp():
                return True
            time.sleep(0.05)
        return False

    def _answers_udp(self):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.settimeout(0.2)
            try:
                s.sendto(dns_query(PROBE_NAME), ("127.0.0.1", self.port))
                return reply_id(s.recv(4096)) == 0x4B4E
            except OSError:
                return False

    def _answers_tcp(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                q = dns_query(PROBE_NAME)
                s.sendall(struct.pack("!H", len(q)) + q)
                return len(s.recv(4096)) > 2
        except OSError:
            return False

    def stop(self):
        if self.proc is None or self.proc.poll() is not None:
            return
        # "server.stop. CH TXT" makes ldns-testns exit(0), flushing its log; SIGKILL if not.
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            try:
                s.sendto(dns_query("server.stop.", qclass=3), ("127.0.0.1", self.port))
            except OSError:
                pass
        try:
            self.proc.wait(timeout=2)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()

    @property
    def server(self):
        return f"127.0.0.1:{self.port}"

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("latin-1")

    def queries(self, name=None, qtype=None, transport=None, dmarc=False):
        """(id, transport, name, type) of each query received, the probe's left out and, unless
        `dmarc`, the DMARC lookups of FROM_DOMAIN too."""
        out = []
        for line in self.log_text().splitlines():
            m = QUERY_LINE.match(line)
            if not m:
                continue
            qid, tp, qname, _qclass, qt = int(m[1]), m[2], m[3].lower(), m[4], m[5]
            if qname == PROBE_NAME or (qname in DMARC_NAMES and not dmarc):
                continue
            if name is not None and qname != name.lower().rstrip(".") + ".":
                continue
            if (qtype is None or qt == qtype) and (transport is None or tp == transport):
                out.append((qid, tp, qname, qt))
        return out


class Kenin:
    """Runs the real binary; every call has a hard timeout so a hang is a failure, not a stall."""

    def __init__(self, path, workdir):
        self.path = path
        self.workdir = workdir

    def run(self, *args, timeout=30, stdin=None):
        start = time.monotonic()
        try:
            p = subprocess.run([self.path, *args], capture_output=True, timeout=timeout, input=stdin)
            return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"), \
                time.monotonic() - start
        except subprocess.TimeoutExpired:
            return None, "", f"timed out after {timeout} s", time.monotonic() - start

    def keygen(self, selector, domain, kind="rsa", bits=2048):
        """(private key path, TXT record value as one string, zone line as kenin prints it)."""
        pem = os.path.join(self.workdir, f"{selector}.{domain}.{kind}{bits if kind == 'rsa' else ''}.pem")
        args = ["keygen", "--type", kind, "-s", selector, "-d", domain, "-o", pem]
        if kind == "rsa":
            args += ["--bits", str(bits)]
        rc, out, err, _ = self.run(*args, timeout=120)
        if rc != 0:
            raise RuntimeError(f"kenin keygen failed: {err}")
        zone_line = out.strip()
        value = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', zone_line))
        return pem, value, zone_line

    def sign(self, pem, domain, selector, message_path, out_path, algorithm="rsa-sha256"):
        rc, out, err, _ = self.run("sign", "-k", pem, "-d", domain, "-s", selector, "-a", algorithm,
                                   message_path)
        if rc != 0:
            raise RuntimeError(f"kenin sign failed: {err}")
        with open(out_path, "w", newline="") as f:
            f.write(out)
        return out_path

    def verify_json(self, server, files, *extra, zone=None, timeout=30):
        """(exit code, [report per file], stderr, seconds); keys from `server`, or from the
        master file `zone` when given."""
        source = ["--zone", zone] if zone else ["--resolver", server]
        rc, out, err, secs = self.run("verify", *source, "--format", "json", *extra, *files, timeout=timeout)
        reports = []
        for line in out.splitlines():
            try:
                reports.append(json.loads(line))
            except ValueError:
                reports.append({"unparsable": line})
        return rc, reports, err, secs

    def keycheck_json(self, server, selector, domain, *extra, timeout=30):
        """(exit code, parsed JSON or None, raw stdout, stderr, seconds)."""
        rc, out, err, secs = self.run("keycheck", selector, domain, "--resolver", server, "--format", "json",
                                      *extra, timeout=timeout)
        try:
            parsed = json.loads(out)
        except ValueError:
            parsed = None
        return rc, parsed, out, err, secs


def txt_strings(value, size):
    """The record value as a zone-file TXT rdata of `size`-octet strings."""
    parts = [value[i:i + size] for i in range(0, len(value), size)] or [""]
    return " ".join('"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in parts)


def write_message(path, domain, subject, body):
    """A small message to be signed for d=`domain`; From: is always FROM_DOMAIN."""
    with open(path, "w", newline="") as f:
        f.write(f"From: Sender <sender@{FROM_DOMAIN}>\r\nTo: rcpt@example.net\r\nSubject: {subject}\r\n"
                f"Message-ID: <{abs(hash((domain, subject)))}@{domain}>\r\n\r\n{body}\r\n")
    return path


def dkim_results(report):
    """[(result, reason)] of one JSON report line."""
    return [(sig.get("result"), sig.get("reason", "")) for sig in report.get("dkim", [])]


def args_and_workdir(description):
    import argparse
    import tempfile
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--kenin", required=True)
    parser.add_argument("--ldns-testns", default="ldns-testns")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    workdir = tempfile.mkdtemp(prefix="kenin-integration-")
    return args, workdir


def cleanup(args, workdir):
    if args.keep:
        print(f"work directory kept: {workdir}", file=sys.stderr)
    else:
        shutil.rmtree(workdir, ignore_errors=True)


def run_script(description, run):
    """Parses the arguments, calls run(args, workdir, tally) and prints the tally; an exception
    (e.g. ldns-testns would not start) counts as one failure. Returns the exit code."""
    import signal
    import traceback
    # SIGTERM/SIGINT unwind through the `with` blocks, so the servers are stopped.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda n, _frame: sys.exit(128 + n))
    args, workdir = args_and_workdir(description)
    tally = Tally()
    try:
        run(args, workdir, tally)
    except BaseException:  # noqa: BLE001 - a failed case; the `with` blocks stopped the servers
        tally.check(False, "test harness", traceback.format_exc())
    finally:
        cleanup(args, workdir)
    return tally.finish()
