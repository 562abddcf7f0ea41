"""The mail path of the end-to-end test: a private Postfix on loopback and the SMTP server that
captures what it delivers.

PrivatePostfix is a Postfix instance of its own (config_directory, queue_directory and
data_directory under the test's work directory; the system Postfix is never touched and nothing
listens on port 25). Its master daemon runs in the foreground as a child of the test (`master
-s`, what `postfix start-fg` runs), so it is stopped on every exit path: SIGTERM at the end (what
`postfix stop` sends), and a watchdog process if the test itself is killed. Its smtpd listens
on 127.0.0.1:PORT, hands every message to the milters configured, and relays everything to
127.0.0.1:SINKPORT; Postfix logs to WORKDIR/maillog (postlogd), read when a case fails.

CaptureSink is that next hop: a small SMTP server that writes each message it accepts to
DIR/NNNN.eml (the DATA bytes, dot-unstuffed, as received) beside DIR/NNNN.json (the envelope).
Postfix's smtp-sink would be the obvious choice, but it announces no SMTPUTF8, and Postfix bounces
a message sent with SMTPUTF8 rather than relay it to such a server ("SMTPUTF8 is required, but was
not offered by host"), which the 8-bit cases need.

Also shared by the end-to-end scripts: send_smtp (one transaction with smtplib), Kenind (the
daemon under test, started here), and main() (arguments, root check, work directory, tally).
"""
import argparse
import json
import os
import re
import shutil
import signal
import smtplib
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
import dnstest  # noqa: E402  (tests/integration: the tally)

POSTFIX = "/usr/sbin/postfix"
POSTCONF = "/usr/sbin/postconf"


def die_with_parent(signum=signal.SIGKILL):
    """A preexec_fn: the child gets `signum` when the test process dies, even by SIGKILL."""
    def set_pdeathsig():
        import ctypes
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signum, 0, 0, 0)
    return set_pdeathsig


def free_tcp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_listener(port, deadline, alive=lambda: True):
    """True once 127.0.0.1:port accepts a connection; False at `deadline` or when not alive()."""
    while time.monotonic() < deadline:
        if not alive():
            return False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            time.sleep(0.05)
    return False


# --- the capture server -----------------------------------------------------------------------

class _SinkHandler(socketserver.StreamRequestHandler):
    """One SMTP session (RFC 5321), enough for Postfix's smtp client: EHLO/HELO, MAIL, RCPT,
    DATA, RSET, NOOP, QUIT, one or more transactions per connection, pipelined or not."""

    MAX_LINE = 1 << 20

    def reply(self, text):
        self.wfile.write(text.encode("ascii") + b"\r\n")
        self.wfile.flush()

    def handle(self):
        sink = self.server.sink
        self.reply("220 sink.kenin-e2e.test ESMTP capture")
        helo, mail, rcpts = "", None, []
        while True:
            line = self.rfile.readline(self.MAX_LINE)
            if not line:
                return
            command = line.rstrip(b"\r\n").decode("utf-8", "replace")
            verb = command.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                helo, mail, rcpts = command[5:].strip(), None, []
                if verb == "EHLO":
                    self.reply("250-sink.kenin-e2e.test\r\n250-PIPELINING\r\n250-SIZE 104857600\r\n"
                               "250-8BITMIME\r\n250-SMTPUTF8\r\n250 ENHANCEDSTATUSCODES")
                else:
                    self.reply("250 sink.kenin-e2e.test")
            elif verb == "MAIL":
                mail, rcpts = command.split(":", 1)[-1].strip(), []  # "<addr> PARAM=..."
                self.reply("250 2.1.0 Ok")
            elif verb == "RCPT":
                rcpts.append(command.split(":", 1)[-1].strip())
                self.reply("250 2.1.5 Ok")
            elif verb == "DATA":
                if mail is None or not rcpts:
                    self.reply("503 5.5.1 Error: need MAIL and RCPT first")
                    continue
                self.reply("354 End data with <CR><LF>.<CR><LF>")
                data = self.read_data()
                if data is None:
                    return
                number = sink.store(data, {"helo": helo, "mail": mail, "rcpt": rcpts})
                self.reply(f"250 2.0.0 Ok: stored as {number:04d}")
                mail, rcpts = None, []
            elif verb == "RSET":
                mail, rcpts = None, []
                self.reply("250 2.0.0 Ok")
            elif verb == "NOOP":
                self.reply("250 2.0.0 Ok")
            elif verb == "QUIT":
                self.reply("221 2.0.0 Bye")
                return
            else:
                self.reply("502 5.5.2 Error: command not recognized")

    def read_data(self):
        """The message up to the lone ".", dot-unstuffed (RFC 5321 §4.5.2); None on EOF."""
        lines = []
        while True:
            line = self.rfile.readline(self.MAX_LINE)
            if not line:
                return None
            if line in (b".\r\n", b".\n"):
                return b"".join(lines)
            lines.append(line[1:] if line.startswith(b".") else line)


def local_part(rcpt):
    """"name" of an RCPT TO argument "<name@domain> PARAMS"."""
    m = re.match(r"<([^@>]+)@", rcpt)
    return m[1] if m else None


class _ThreadingServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128  # listen backlog: Postfix opens many delivery connections at once


class CaptureSink:
    """The capture server on 127.0.0.1 (a free port), in a thread of the test process."""

    def __init__(self, directory):
        self.directory = directory
        os.makedirs(directory, exist_ok=True)
        self.count = 0
        self.lock = threading.Lock()
        self.server = _ThreadingServer(("127.0.0.1", 0), _SinkHandler)
        self.server.sink = self
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        return False

    def store(self, data, envelope):
        """Writes NNNN.json, then NNNN.eml by rename, so a .eml seen is complete."""
        with self.lock:
            self.count += 1
            number = self.count
        base = os.path.join(self.directory, f"{number:04d}")
        with open(base + ".json", "w") as f:
            json.dump(envelope, f)
        with open(base + ".tmp", "wb") as f:
            f.write(data)
        os.replace(base + ".tmp", base + ".eml")
        return number

    def messages(self):
        """[(envelope dict, message bytes)] of every complete message, in arrival order."""
        out = []
        for name in sorted(os.listdir(self.directory)):
            if name.endswith(".eml"):
                base = os.path.join(self.directory, name[:-4])
                with open(base + ".json") as f:
                    envelope = json.load(f)
                with open(base + ".eml", "rb") as f:
                    out.append((envelope, f.read()))
        return out

    def wait_for(self, names, timeout):
        """{name: [message bytes]} of the messages delivered to <name@...>, once every one of
        `names` has arrived or after `timeout` seconds (then some are missing)."""
        deadline = time.monotonic() + timeout
        while True:
            delivered = {}
            for envelope, message in self.messages():
                for rcpt in envelope["rcpt"]:
                    delivered.setdefault(local_part(rcpt), []).append(message)
            if all(name in delivered for name in names) or time.monotonic() > deadline:
                return delivered
            time.sleep(0.2)

    def strays(self, names):
        """The envelopes of delivered messages addressed to none of <name@...> (bounces...)."""
        names = set(names)
        return [envelope for envelope, _ in self.messages()
                if not any(local_part(r) in names for r in envelope["rcpt"])]


# --- the private Postfix ----------------------------------------------------------------------

# Every service the mail path needs, chroot off ("n"): the instance lives under /tmp, and
# Debian's chroot default ("y" in its master.cf) would need a copy of /etc files in the queue.
MASTER_CF = """\
{listen} inet n - n - - smtpd
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


class _Watchdog:
    """Stops the Postfix master if the test dies without stopping it (SIGKILL at a CTest
    timeout). The parent-death signal cannot do it: master changes its effective uid at times,
    and that clears the signal. The watchdog blocks reading a pipe whose other end only this
    process holds; end of file means the test is gone: SIGTERM to master (it stops its
    children), then SIGKILL to its process group (master leads its own session)."""

    SCRIPT = ("import os, signal, sys, time\n"
              "sys.stdin.buffer.read()\n"
              "pid = int(sys.argv[1])\n"
              "try:\n"
              "    os.kill(pid, signal.SIGTERM)\n"
              "    time.sleep(5)\n"
              "    os.killpg(pid, signal.SIGKILL)\n"
              "except OSError:\n"
              "    pass\n")

    def __init__(self, pid):
        read_end, self.write_end = os.pipe()  # not inherited by other children (PEP 446)
        self.proc = subprocess.Popen([sys.executable, "-c", self.SCRIPT, str(pid)], stdin=read_end,
                                     start_new_session=True)
        os.close(read_end)

    def dismiss(self):
        """Normal stop: the watchdog goes first, so it never signals a reused pid."""
        self.proc.kill()
        self.proc.wait()
        os.close(self.write_end)


class PrivatePostfix:
    """A Postfix instance under `workdir` whose smtpd (127.0.0.1, a free port) relays every
    message to 127.0.0.1:`relay_port`, through `milters` (e.g. "inet:127.0.0.1:PORT", or "").
    `settings` are main.cf parameters that override the ones below."""

    def __init__(self, workdir, relay_port, milters="", settings=None):
        self.workdir = workdir
        self.settings = settings or {}
        self.config_dir = os.path.join(workdir, "postfix-etc")
        self.queue_dir = os.path.join(workdir, "postfix-spool")
        self.maillog = os.path.join(workdir, "maillog")
        self.relay_port = relay_port
        self.milters = milters
        self.port = None
        self.proc = None
        self.watchdog = None

    def main_cf(self):
        return {
            "compatibility_level": "3.6",
            "queue_directory": self.queue_dir,
            "data_directory": os.path.join(self.workdir, "postfix-data"),
            "mail_owner": "postfix",
            "setgid_group": "postdrop",
            "myhostname": "mx.kenin-e2e.test",
            "mydomain": "kenin-e2e.test",
            "myorigin": "$myhostname",
            "inet_interfaces": "127.0.0.1",
            "inet_protocols": "ipv4",
            # Relay everything, deliver nothing locally.
            "mydestination": "",
            "relay_domains": "",
            "local_recipient_maps": "",
            "alias_maps": "",
            "alias_database": "",
            "mynetworks": "127.0.0.0/8",
            "smtpd_relay_restrictions": "permit_mynetworks, reject",
            "relayhost": f"[127.0.0.1]:{self.relay_port}",
            # Leave the signed messages alone: no header rewriting for loopback clients (the
            # default treats them as local), no 8-bit to quoted-printable conversion.
            "local_header_rewrite_clients": "",
            "disable_mime_output_conversion": "yes",
            "smtputf8_enable": "yes",
            "smtpd_peername_lookup": "no",
            # The milter; a milter that is down or broken shows as a 4xx, never a silent pass.
            "smtpd_milters": self.milters,
            "non_smtpd_milters": "",
            "milter_protocol": "6",
            "milter_default_action": "tempfail",
            "milter_connect_timeout": "5s",
            "milter_command_timeout": "20s",
            "milter_content_timeout": "30s",
            # Retry quickly, warn never: a deferred message shows up in the maillog.
            "queue_run_delay": "1s",
            "minimal_backoff_time": "1s",
            "maximal_backoff_time": "2s",
            "delay_warning_time": "0",
            "maillog_file": self.maillog,
            "maillog_file_prefixes": self.workdir,
            **self.settings,
        }

    def postconf(self, *args):
        return subprocess.run([POSTCONF, "-c", self.config_dir, *args], capture_output=True,
                              text=True, check=True).stdout

    def start(self, attempts=5):
        os.makedirs(self.config_dir, exist_ok=True)
        os.makedirs(self.queue_dir, mode=0o755, exist_ok=True)
        os.chmod(self.workdir, 0o755)  # the postfix user must reach its queue and data dirs
        with open(os.path.join(self.config_dir, "main.cf"), "w") as f:
            f.write("# kenin tests/e2e: private instance, written by mta.py\n")
        self.postconf("-e", *(f"{k} = {v}" for k, v in self.main_cf().items()))
        daemon_dir = self.postconf("-h", "daemon_directory").strip()
        for _ in range(attempts):  # another process may take the port between pick and bind
            self.port = free_tcp_port()
            with open(os.path.join(self.config_dir, "master.cf"), "w") as f:
                f.write(MASTER_CF.format(listen=f"127.0.0.1:{self.port}"))
            # `postfix check` creates the queue and data directories with their owners.
            check = subprocess.run([POSTFIX, "-c", self.config_dir, "check"], capture_output=True,
                                   text=True)
            if check.returncode != 0:
                raise RuntimeError(f"postfix check failed:\n{check.stderr}{self.log_tail()}")
            self.proc = subprocess.Popen([os.path.join(daemon_dir, "master"), "-c", self.config_dir,
                                          "-s"], stdin=subprocess.DEVNULL)
            self.watchdog = _Watchdog(self.proc.pid)
            if wait_for_listener(self.port, time.monotonic() + 10, lambda: self.proc.poll() is None):
                return self
            self.stop()
        raise RuntimeError(f"Postfix did not start:\n{self.log_tail()}")

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    def stop(self):
        """SIGTERM to master (which stops its children), as `postfix stop` does; SIGKILL to the
        whole process group (master leads its own session) if it lingers."""
        if self.watchdog:
            self.watchdog.dismiss()
            self.watchdog = None
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except OSError:
                self.proc.kill()
            self.proc.wait()

    def log_text(self):
        try:
            with open(self.maillog, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def log_tail(self, lines=40):
        return "".join("\n  maillog: " + line for line in self.log_text().splitlines()[-lines:])

    def log_lines_for(self, queue_id):
        return [line for line in self.log_text().splitlines() if f" {queue_id}:" in line]

    # Warnings about the host, not the mail path: cleanup(8) compares file times with the
    # clock, and on some file systems (overlay, network) they run a second apart.
    HOST_WARNINGS = ("file system clock is", "resetting file time stamps")

    def milter_warnings(self):
        return [line for line in self.log_text().splitlines()
                if re.search(r"milter|warning|fatal|panic|error", line, re.I)
                and "postfix/master" not in line
                and not any(text in line for text in self.HOST_WARNINGS)]


def check_mail_path(tally, sink, postfix, names):
    """The end of every script: nothing delivered but the messages of `names` (no bounce), and
    no milter warning or error in Postfix's log."""
    strays = sink.strays(names)
    tally.check(not strays, "no bounce or stray message delivered",
                f"{len(strays)} unexpected: {strays[:3]}")
    warnings = postfix.milter_warnings()
    tally.check(not warnings, "Postfix log without milter warnings or errors",
                "\n  " + "\n  ".join(warnings[:20]))


# --- sending ----------------------------------------------------------------------------------

QUEUED = re.compile(r"queued as ([0-9A-Za-z]+)")


def send_smtp(port, mail_from, rcpt, message, helo, options=(), before_data=None, timeout=60):
    """One transaction with smtplib (which dot-stuffs); `options` go on MAIL FROM (SMTPUTF8,
    BODY=8BITMIME); `before_data()` is called between RCPT and DATA. Returns (ok, queue id,
    what the server said)."""
    try:
        with smtplib.SMTP("127.0.0.1", port, local_hostname=helo, timeout=timeout) as s:
            s.ehlo()
            code, resp = s.mail(mail_from, list(options))
            if code != 250:
                return False, None, f"MAIL FROM: {code} {resp!r}"
            code, resp = s.rcpt(rcpt)
            if code != 250:
                return False, None, f"RCPT TO: {code} {resp!r}"
            if before_data:
                before_data()
            code, resp = s.data(message)
            text = resp.decode("utf-8", "replace")
            m = QUEUED.search(text)
            return code == 250 and m is not None, m and m[1], f"DATA: {code} {text}"
    except (OSError, smtplib.SMTPException, threading.BrokenBarrierError) as e:
        return False, None, f"smtplib: {e!r}"


def established(port):
    """How many TCP connections to 127.0.0.1:`port` are established (/proc/net/tcp)."""
    with open("/proc/net/tcp") as f:
        rows = [line.split() for line in f.readlines()[1:]]
    return sum(1 for row in rows if row[1] == f"0100007F:{port:04X}" and row[3] == "01")


def send_all_at_once(port, transactions, helo, barrier_timeout=60, timeout=60, at_barrier=None):
    """Sends every (mail_from, rcpt, message) of `transactions` on a connection of its own, each
    in a thread; every thread waits before DATA until all have got there, so that all the SMTP
    sessions (and as many milter connections from smtpd) are open at the same time, and every
    message then goes at once; `at_barrier()` runs at that moment. Returns (the results in
    order: [(ok, queue id, what the server said, seconds from DATA to its reply)], seconds from
    the start to the last reply)."""
    barrier = threading.Barrier(len(transactions), action=at_barrier, timeout=barrier_timeout)
    results = [None] * len(transactions)
    started = time.monotonic()

    def one(i, mail_from, rcpt, message):
        data_sent = []

        def at_data():
            barrier.wait()
            data_sent.append(time.monotonic())

        ok, qid, text = send_smtp(port, mail_from, rcpt, message, helo, timeout=timeout,
                                  before_data=at_data)
        if not data_sent:
            barrier.abort()  # this one cannot reach DATA: the others must not wait for it
        results[i] = (ok, qid, text, time.monotonic() - data_sent[0] if data_sent else None)

    threads = [threading.Thread(target=one, args=(i, *t), daemon=True)
               for i, t in enumerate(transactions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(barrier_timeout + 2 * timeout)
    results = [r or (False, None, "still running", None) for r in results]
    return results, time.monotonic() - started


# --- kenind -----------------------------------------------------------------------------------

LOG_FIELD = re.compile(r"(\w+)=(\S*)")


class Kenind:
    """kenind -f on a free loopback port; stderr kept in WORKDIR/kenind.log; SIGTERM at the end.
    Its configuration file is WORKDIR/kenind.toml, `config` (empty: the embedded defaults; an
    empty file of our own, because /etc/kenin/kenind.toml, read when there is no -c, may exist on
    a machine that runs kenind for real); the command line sets `dns_args` and `authserv_id`."""

    def __init__(self, path, workdir, dns_args, authserv_id, config=""):
        self.path, self.workdir, self.dns_args = path, workdir, dns_args
        self.authserv_id = authserv_id
        self.config_path = os.path.join(workdir, "kenind.toml")
        self.log_path = os.path.join(workdir, "kenind.log")
        self.write_config(config)
        self.proc = None
        self.port = None
        self.exit_code = None

    def supports(self, option):
        help_text = subprocess.run([self.path, "--help"], capture_output=True, text=True,
                                   timeout=10)
        return option in help_text.stdout + help_text.stderr

    def write_config(self, text):
        """Replaces the configuration file (by rename: a reload never reads half of it)."""
        with open(self.config_path + ".new", "w") as f:
            f.write("# tests/e2e: written by mta.py; the command line sets the rest\n" + text)
        os.replace(self.config_path + ".new", self.config_path)

    def start(self):
        extra = ["--metrics", "off"] if self.supports("--metrics") else []
        for _ in range(5):
            self.port = free_tcp_port()
            argv = [self.path, "-f", "-c", self.config_path, "--socket",
                    f"inet:{self.port}@127.0.0.1", "--authserv-id", self.authserv_id,
                    *self.dns_args, *extra]
            with open(self.log_path, "ab") as log:
                log.write(("+ " + " ".join(argv) + "\n").encode())
                log.flush()
                self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                             stderr=subprocess.STDOUT, cwd=self.workdir,
                                             preexec_fn=die_with_parent())
            if wait_for_listener(self.port, time.monotonic() + 15,
                                 lambda: self.proc.poll() is None):
                return self
            self.stop()
        raise RuntimeError(f"kenind did not start listening:\n{self.log_text()[-3000:]}")

    @property
    def milter(self):
        return f"inet:127.0.0.1:{self.port}"

    def reloads(self):
        return self.log_text().count("configuration reloaded")

    def reload(self, timeout=20):
        """SIGHUP; True once the log shows one more reload than before (False: a failed
        reload, or none within `timeout` seconds)."""
        before = self.reloads()
        failed = self.log_text().count("reload failed")
        self.proc.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.proc.poll() is None:
            if self.reloads() > before:
                return True
            if self.log_text().count("reload failed") > failed:
                return False
            time.sleep(0.01)
        return False

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self.exit_code = "killed after 15 s"
                return
        self.exit_code = self.proc.returncode

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def message_lines(self):
        """{queue id: [{field: value}]} of the per-message log lines (queue=... eom_ms=...)."""
        out = {}
        for line in self.log_text().splitlines():
            if " queue=" in line and "total_ms=" in line:
                fields = dict(LOG_FIELD.findall(line))
                out.setdefault(fields["queue"], []).append(fields)
        return out

    def check_stopped(self, tally, queue_ids):
        """After stop(): one log line per message of `queue_ids`, and exit 0."""
        lines = self.message_lines()
        wrong = {qid: len(lines.get(qid, [])) for qid in queue_ids
                 if len(lines.get(qid, [])) != 1}
        tally.check(not wrong, "kenind logged one line per message (by queue id)",
                    f"queue id: lines {wrong}; log tail:\n{self.log_text()[-1500:]}",
                    note=f"{len(queue_ids)} messages")
        tally.check(self.exit_code == 0, "kenind exits 0 on SIGTERM",
                    f"exit {self.exit_code}; log tail:\n{self.log_text()[-1500:]}")


# --- the scripts' main ------------------------------------------------------------------------

def main(doc, run, add_arguments=None, tools=("openssl",)):
    """Arguments (--kenin, --kenind, --ldns-testns, --keep and `add_arguments(parser)`), then
    run(args, workdir, tally) with a fresh work directory, kept when a case failed. Returns the
    exit code: 1 on a failure, 77 (skipped) when not root."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--kenin", required=True, help="the kenin binary (keygen)")
    parser.add_argument("--kenind", help="the kenind binary; started here")
    parser.add_argument("--ldns-testns", default="ldns-testns")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    if add_arguments:
        add_arguments(parser)
    args = parser.parse_args()
    args.kenin = os.path.abspath(args.kenin)
    args.kenind = args.kenind and os.path.abspath(args.kenind)
    if os.geteuid() != 0:
        print("SKIP: needs root (a private Postfix instance runs its daemons as user postfix)")
        return 77
    for tool in (POSTFIX, *tools):
        if not shutil.which(tool):
            print(f"FAIL {tool} not found (scripts/install-deps.sh installs it)")
            print("0 passed, 1 failed")
            return 1
    for signum in (signal.SIGTERM, signal.SIGINT):  # unwind through the `with` blocks
        signal.signal(signum, lambda n, _frame: sys.exit(128 + n))
    workdir = tempfile.mkdtemp(prefix="kenin-e2e-")
    tally = dnstest.Tally()
    started = time.monotonic()
    try:
        run(args, workdir, tally)
    except BaseException:  # noqa: BLE001 - counted as a failure; the servers are stopped
        tally.check(False, "test harness", traceback.format_exc())
    finally:
        if args.keep or tally.failed:
            print(f"work directory kept: {workdir} (maillog, kenind.log, delivered/)",
                  file=sys.stderr)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"({time.monotonic() - started:.1f} s)")
    return tally.finish()
