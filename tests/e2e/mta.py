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
"""
import json
import os
import signal
import socket
import socketserver
import subprocess
import sys
import threading
import time

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


class _ThreadingServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


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
    message to 127.0.0.1:`relay_port`, through `milters` (e.g. "inet:127.0.0.1:PORT", or "")."""

    def __init__(self, workdir, relay_port, milters=""):
        self.workdir = workdir
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
