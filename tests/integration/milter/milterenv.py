"""Shared pieces of the kenind integration tests: a key, a zone and messages made at test time
(`kenin keygen`, `kenin sign`), the real kenind started in the foreground on a free loopback
port with --zone, and runs of the real miltertest (Debian package miltertest) against it.

Messages (all CRLF, From alice@example.org unless said otherwise):
  simple.eml      signed c=simple/simple; its Subject and DKIM-Signature are folded
  relaxed.eml     signed c=relaxed/relaxed
  spaces.eml      signed c=simple/simple over a Comments field with two spaces after the colon
  unsigned.eml    no signature
  reject.eml      unsigned, From a domain whose DMARC policy is p=reject
  quarantine.eml  unsigned, From a domain whose DMARC policy is p=quarantine
"""
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from dnstest import Tally, printable  # noqa: E402,F401  (shared with the DNS integration tests)

AUTHSERV_ID = "mx.kenin.test"
SOA = "3600 IN SOA ns.{0}. hostmaster.{0}. 1 3600 600 86400 300"

BODY = "Hello Bob.\r\n\r\nA line with trailing space   \r\nand a last line.\r\n"
HEADERS = ("From: Alice <{sender}>\r\n"
           "To: bob@example.net\r\n"
           "Subject: a folded\r\n\tsubject line\r\n"
           "Date: Mon, 1 Jan 2024 00:00:00 +0000\r\n"
           "Message-ID: <{tag}@example.org>\r\n")


def zone_text(key_line):
    lines = [f"example.org. {SOA.format('example.org')}",
             'example.org. 3600 IN TXT "v=spf1 ip4:192.0.2.0/24 -all"',
             '_dmarc.example.org. 3600 IN TXT "v=DMARC1; p=none"',
             key_line]
    for domain, policy in (("reject.example", "reject"), ("quarantine.example", "quarantine")):
        lines += [f"{domain}. {SOA.format(domain)}",
                  f'{domain}. 3600 IN TXT "v=spf1 -all"',
                  f'_dmarc.{domain}. 3600 IN TXT "v=DMARC1; p={policy}"']
    return "\n".join(lines) + "\n"


def make_data(kenin, directory):
    """Writes key.pem, test.zone and the messages into `directory`."""
    key = os.path.join(directory, "key.pem")
    keygen = subprocess.run([kenin, "keygen", "-s", "sel", "-d", "example.org", "-o", key],
                            capture_output=True, text=True, check=True)
    with open(os.path.join(directory, "test.zone"), "w") as zone:
        zone.write(zone_text(keygen.stdout.strip()))

    def write(name, text):
        with open(os.path.join(directory, name), "wb") as out:
            out.write(text.encode())

    def signed(name, canonicalization, extra=""):
        plain = HEADERS.format(sender="alice@example.org", tag=name) + extra + "\r\n" + BODY
        signed_fields = "from:to:subject:date:message-id" + (":comments" if extra else "")
        result = subprocess.run([kenin, "sign", "-k", key, "-d", "example.org", "-s", "sel",
                                 "-c", canonicalization, "--headers", signed_fields, "-"],
                                input=plain.encode(), capture_output=True, check=True)
        write(name, result.stdout.decode())

    signed("simple.eml", "simple/simple")
    signed("relaxed.eml", "relaxed/relaxed")
    signed("spaces.eml", "simple/simple", "Comments:  two spaces after the colon\r\n")
    write("unsigned.eml", HEADERS.format(sender="alice@example.org", tag="u") + "\r\n" + BODY)
    write("reject.eml", HEADERS.format(sender="mallory@reject.example", tag="r") + "\r\n" + BODY)
    write("quarantine.eml", HEADERS.format(sender="mallory@quarantine.example", tag="q") + "\r\n" + BODY)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# In a sanitizer build (KENIN_SANITIZE) kenind reports memory errors and, at exit, leaks on
# stderr; these options make any report fail its exit code too (23, not 0), and are ignored by
# a build without sanitizers. Options already set in the environment come first: ours win.
SANITIZER_OPTIONS = {"ASAN_OPTIONS": "detect_leaks=1:exitcode=23",
                     "UBSAN_OPTIONS": "print_stacktrace=1:halt_on_error=1"}
SANITIZER_REPORT = re.compile(r"ERROR: (AddressSanitizer|LeakSanitizer)|runtime error: "
                              r"|^==\d+== (Invalid|Conditional|Syscall param|Mismatched)"
                              r"|^==\d+== .* are (definitely|indirectly) lost")


def sanitizer_environment():
    env = dict(os.environ)
    for name, options in SANITIZER_OPTIONS.items():
        env[name] = ":".join(filter(None, [env.get(name, ""), options]))
    return env


class Kenind:
    """kenind -f in the background; its stderr is collected line by line. `wrapper` runs it
    under another program (valgrind)."""

    def __init__(self, binary, args, cwd=None, wrapper=()):
        self.lines = []
        # Metrics off unless a test asks for them: kenind's default port (127.0.0.1:9489) would
        # make tests that run in parallel collide. tests/integration/metrics/ picks free ports.
        if "--metrics" not in args:
            args = args + ["--metrics", "off"]
        self.process = subprocess.Popen([*wrapper, binary, "-f"] + args, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE, text=True, cwd=cwd,
                                        env=sanitizer_environment())
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.process.stderr:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, text, timeout=10.0):
        """True once a log line contains `text`; False on timeout or exit."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in line for line in self.lines):
                return True
            if self.process.poll() is not None:
                self.reader.join(1)
                return any(text in line for line in self.lines)
            time.sleep(0.02)
        return False

    def stop(self, timeout=10.0):
        """SIGTERM and wait; returns the exit code (None if it had to be killed)."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            code = None
        self.reader.join(2)
        return code

    def log(self):
        return "\n".join(self.lines)

    def memory_reports(self):
        """The lines of a sanitizer's or valgrind's report of an error or a leak."""
        return [line for line in self.lines if SANITIZER_REPORT.search(line)]


def run_miltertest(miltertest, script, socket_spec, data_dir, timeout=60, extra=None):
    """Runs one Lua script; returns (exit code, stdout + stderr)."""
    common = os.path.join(os.path.dirname(os.path.abspath(__file__)), "common.lua")
    defines = {"SOCKET": socket_spec, "DATA": data_dir, "COMMON": common, "AUTHSERV": AUTHSERV_ID}
    defines.update(extra or {})
    command = [miltertest, "-s", script]
    for name, value in defines.items():
        command += ["-D", f"{name}={value}"]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        return None, f"miltertest timed out after {timeout}s: {e.stdout or ''}{e.stderr or ''}"
    return result.returncode, result.stdout + result.stderr
