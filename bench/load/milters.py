"""The milters of the load benchmark, each a daemon of its own started here: kenind, the
do-nothing libmilter milter (null_milter.c), and Debian's opendkim and opendmarc, configured
to verify only, with the same authserv-id, asking the benchmark's DNS server.

Every one listens on a unix socket (mode 0666, so Postfix's smtpd may connect) or on a TCP
port on 127.0.0.1, stays in the foreground, and is measured from /proc: CPU time (utime +
stime of the whole process, every thread included) and memory (VmRSS, VmHWM).
"""
import os
import socket
import subprocess
import time

import load_corpus
import procstat  # tests/integration (load_corpus put it on the path)
import mta  # tests/e2e (load_corpus put it on the path): free ports, listeners, die_with_parent

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PSL = "/usr/share/publicsuffix/public_suffix_list.dat"
# A client address that is never ours: opendkim and opendmarc treat 127.0.0.1 as internal by
# default (InternalHosts: sign, not verify; IgnoreHosts: skip) and every test client is there.
NOT_A_CLIENT = "192.0.2.1"


class Endpoint:
    """Where a milter listens, spelled as Postfix, libmilter and OpenDKIM/OpenDMARC want it."""

    def __init__(self, transport, workdir, name):
        self.transport = transport
        if transport == "unix":
            self.path = os.path.join(workdir, f"{name}.sock")
            self.port = None
        else:
            self.path = None
            self.port = mta.free_tcp_port()

    @property
    def postfix(self):
        return f"unix:{self.path}" if self.path else f"inet:127.0.0.1:{self.port}"

    @property
    def libmilter(self):
        return f"unix:{self.path}" if self.path else f"inet:{self.port}@127.0.0.1"

    @property
    def opendkim(self):
        return f"local:{self.path}" if self.path else f"inet:{self.port}@127.0.0.1"

    def accepts(self):
        if self.path:
            try:
                with socket.socket(socket.AF_UNIX) as s:
                    s.connect(self.path)
                    return True
            except OSError:
                return False
        return mta.wait_for_listener(self.port, time.monotonic() + 0.1)


class Milter:
    """One milter daemon: `argv` started with stdout and stderr in WORKDIR/NAME.log."""

    def __init__(self, name, argv, endpoint, workdir):
        self.name, self.argv, self.endpoint = name, argv, endpoint
        self.log_path = os.path.join(workdir, f"{name}.log")
        self.proc = None

    def start(self, timeout=20):
        with open(self.log_path, "ab") as log:
            log.write(("+ " + " ".join(self.argv) + "\n").encode())
            log.flush()
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT,
                                         preexec_fn=mta.die_with_parent())
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.proc.poll() is None:
            if self.endpoint.accepts():
                return self
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{self.name} did not start listening:\n{self.log_text()[-2000:]}")

    def stop(self):
        stop_process(self.proc)

    def log_text(self):
        with open(self.log_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def cpu_seconds(self):
        return process_cpu_seconds(self.proc.pid)

    def memory_kb(self):
        """{"VmRSS": kB, "VmHWM": kB} of the process now."""
        return procstat.status_values(self.proc.pid)

    def reset_peak(self):
        """VmHWM back to the current VmRSS (proc(5), clear_refs "5")."""
        with open(f"/proc/{self.proc.pid}/clear_refs", "w") as f:
            f.write("5")


def stop_process(proc, timeout=20):
    """SIGTERM to `proc` (a Popen or None), SIGKILL if it has not ended after `timeout` s."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _stat(pid):
    """The fields of /proc/PID/stat after the command name: [0] is field 3 (state)."""
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def process_cpu_seconds(pid):
    """utime + stime of process `pid`, all its threads (live and ended), in seconds."""
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # fields 14 and 15 of stat


def family_cpu_seconds(pid):
    """CPU of process `pid` and its children, live or ended: its own utime + stime, its ended
    children's (cutime + cstime, once it has reaped them) and its live children's utime +
    stime. For Postfix's master, whose children are every Postfix daemon; a difference of two
    readings counts each child's CPU once, even when it ended in between."""
    fields = _stat(pid)
    total = sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                child = _stat(entry)
            except OSError:
                continue  # ended meanwhile: in cutime once reaped
            if child[1] == str(pid):
                total += int(child[11]) + int(child[12])
    return total / CLOCK_TICKS


def write(path, text):
    with open(path, "w") as f:
        f.write(text)
    return path


def kenind(binary, workdir, transport, resolver, metrics="off", extra_config=""):
    endpoint = Endpoint(transport, workdir, "kenind")
    config = write(os.path.join(workdir, "kenind.toml"),
                   '# bench/load: kenind on its defaults but for the socket mode\n'
                   f'socket_mode = "0666"\n{extra_config}')
    argv = [binary, "-f", "-c", config, "--socket", endpoint.libmilter, "--resolver", resolver,
            "--authserv-id", load_corpus.AUTHSERV_ID, "--metrics", metrics]
    return Milter("kenind", argv, endpoint, workdir)


def null_milter(binary, workdir, transport):
    endpoint = Endpoint(transport, workdir, "null")
    return Milter("null", [binary, "-p", endpoint.libmilter], endpoint, workdir)


def opendkim(workdir, transport, nameserver):
    """opendkim 2.11 verifying only. Its resolver is libunbound (Debian builds it so), sent to
    the benchmark's DNS server by Nameservers. Two things unbound would refuse are avoided
    rather than configured (ResolverConfiguration makes opendkim parse an unbound
    configuration file for every message, and unbound's parser is not thread-safe: "fatal flex
    scanner internal error" under load): the server is not on 127.0.0.0/8 (do-not-query-
    localhost) and the names are not under .test (a default local zone). Unbound caches the
    answers; opendkim's own QueryCache stays off, as on Debian's default."""
    endpoint = Endpoint(transport, workdir, "opendkim")
    internal = write(os.path.join(workdir, "opendkim.internal"), NOT_A_CLIENT + "\n")
    config = write(os.path.join(workdir, "opendkim.conf"), f"""\
# bench/load: verify only; every client is external
Mode                v
Socket              {endpoint.opendkim}
UMask               000
AuthservID          {load_corpus.AUTHSERV_ID}
InternalHosts       {internal}
Nameservers         {nameserver}
AlwaysAddARHeader   yes
Syslog              no
Background          no
""")
    return Milter("opendkim", ["/usr/sbin/opendkim", "-f", "-x", config], endpoint, workdir)


def opendmarc(workdir, transport):
    """opendmarc 1.4 evaluating SPF itself (libspf2) and reading DKIM results from opendkim's
    Authentication-Results (same authserv-id). It uses the system resolver (libresolv), so its
    DNS server is the one in /etc/resolv.conf: postfix_load.py runs in a namespace where that
    file names the benchmark's server."""
    endpoint = Endpoint(transport, workdir, "opendmarc")
    ignore = write(os.path.join(workdir, "opendmarc.ignore"), NOT_A_CLIENT + "\n")
    config = write(os.path.join(workdir, "opendmarc.conf"), f"""\
# bench/load: DMARC with SPF checked here, DKIM results from opendkim's header; no reports
Socket              {endpoint.opendkim}
UMask               000
AuthservID          {load_corpus.AUTHSERV_ID}
TrustedAuthservIDs  {load_corpus.AUTHSERV_ID}
IgnoreHosts         {ignore}
SPFSelfValidate     true
SPFIgnoreResults    true
PublicSuffixList    {PSL}
RejectFailures      false
FailureReports      false
Syslog              false
Background          false
""")
    return Milter("opendmarc", ["/usr/sbin/opendmarc", "-f", "-c", config], endpoint, workdir)
