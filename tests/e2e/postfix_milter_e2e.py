#!/usr/bin/python3
"""End to end: real messages through a real Postfix into `kenind`, and what Postfix delivers.

    swaks / smtplib --> Postfix smtpd (127.0.0.1:P) --milter--> kenind (127.0.0.1:M)
                          |                                        |  DNS
                          v relay                                  v
                   capture server (127.0.0.1:S)            ldns-testns (127.0.0.1:D)

Parts (mta.py): a private Postfix instance (own config, queue and data directories under a
temporary directory; smtpd_milters = kenind, milter_default_action = tempfail so a broken milter
shows as a failure, never as a silent pass) relaying every message to a capture server that keeps
each delivered message; ldns-testns (tests/integration/dnstest.py) serving the test keys, the SPF
record of the envelope domain and the DMARC record of the From domain.

Messages (messages.py) are signed by dkimpy (Debian python3-dkim) with keys from `kenin
keygen`: relaxed and simple canonicalization, rsa-sha256 and ed25519-sha256, folded headers with
whitespace runs, body lines starting with a dot (dot-stuffed on both SMTP hops), an 8-bit UTF-8
Subject/To/body sent with SMTPUTF8 and BODY=8BITMIME, two signatures on one message, a 300 KB
body (many milter body chunks), tampered copies (body or signed header changed after signing),
an unsigned message, a key that does not exist, and forged Authentication-Results fields
carrying kenind's authserv-id (which must be gone on delivery) next to a foreign one (which must
stay). 7-bit
messages go through swaks (the wire bytes as signed, --no-data-fixup), the SMTPUTF8 ones through
Python's smtplib (swaks cannot send the SMTPUTF8 parameter).

Each delivered message is checked: exactly one Authentication-Results with kenind's authserv-id,
the topmost A-R field and above every field the client sent; per signature (by selector) the
dkim= result expected; spf=pass (envelope domain, client 127.0.0.1); dmarc=pass exactly when an
aligned signature passes (the envelope domain is not aligned); foreign A-R fields unchanged.
dkimpy re-verifies every delivered copy as a second opinion: Postfix and kenind must not have
changed a signed byte.

Without --kenind (and without --milter) the same messages go through Postfix with no milter:
a check of the harness itself (delivery and dkimpy only). With --milter inet:127.0.0.1:PORT and
--authserv-id, any running milter is tested instead of a kenind started here.

Run as root (Postfix drops privileges to user postfix) with /usr/bin/python3:
    postfix_milter_e2e.py --kenin build/tools/kenin --kenind build/milter/kenind [--keep]
Prints one line per case and "N passed, M failed"; exits 1 on a failure, 77 (skipped) when not
root.
"""
import argparse
import os
import re
import shutil
import signal
import smtplib
import subprocess
import sys
import tempfile
import time
import traceback

import authres
import authres.dmarc
import dkim

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import dnstest  # noqa: E402  (tests/integration: ldns-testns helper, Tally, kenin keygen)
import messages  # noqa: E402
import mta  # noqa: E402
from messages import DOMAIN, crlf  # noqa: E402

AUTHSERV_ID = "mx.kenin-e2e.test"       # kenind's, given with --authserv-id
ENVELOPE_DOMAIN = "mailer.example.net"  # MAIL FROM: SPF passes, but is not aligned with From
MAIL_FROM = f"bounces@{ENVELOPE_DOMAIN}"
HELO = "client.kenin-e2e.test"
DELIVERY_WAIT = 60  # seconds, after the last message was accepted


# --- DNS ------------------------------------------------------------------------------------

def dns_records(keys):
    """{(name, type): TXT value or None for NXDOMAIN}: everything kenind should ask for."""
    records = {(f"{k.selector}._domainkey.{DOMAIN}.", "TXT"): k.txt for k in keys.values()}
    records[(f"missing._domainkey.{DOMAIN}.", "TXT")] = None
    records[(f"{ENVELOPE_DOMAIN}.", "TXT")] = "v=spf1 ip4:127.0.0.0/8 -all"
    records[(f"_dmarc.{DOMAIN}.", "TXT")] = "v=DMARC1; p=none"
    records[(f"{DOMAIN}.", "TXT")] = "v=spf1 -all"
    # SPF of the HELO name, and the DMARC tree walk of the envelope domain, if either is asked.
    for name in (f"{HELO}.", f"_dmarc.{ENVELOPE_DOMAIN}.", "_dmarc.example.net.", "_dmarc.net."):
        records[(name, "TXT")] = None
    return records


def testns_datafile(records, path):
    text = dnstest.base_entries()
    for (name, qtype), value in records.items():
        if value is None:
            text += dnstest.entry(name, qtype, rcode="NXDOMAIN",
                                  authority=[dnstest.soa(name.split(".", 1)[1] or ".")])
        else:
            text += dnstest.entry(name, qtype, answer=[
                f"{name} 3600 IN TXT {dnstest.txt_strings(value, 255)}"])
    with open(path, "w") as f:
        f.write(text)
    return path


def zone_file(records, path):
    """The same records as an RFC 1035 master file, for `kenind --zone` (absent = NXDOMAIN)."""
    with open(path, "w") as f:
        for (name, qtype), value in records.items():
            if value is not None:
                f.write(f"{name} 3600 IN {qtype} {dnstest.txt_strings(value, 255)}\n")
    return path


def dkimpy_dns(records):
    def lookup(name, timeout=5):
        value = records.get((name.decode().lower().rstrip(".") + ".", "TXT"))
        return value.encode() if value is not None else None
    return lookup


# --- sending ----------------------------------------------------------------------------------

QUEUED = re.compile(r"queued as ([0-9A-Za-z]+)")


def send_swaks(case, port, workdir):
    """The exact bytes as DATA: CRLF, dot-stuffed, the final "." written here (swaks adds the
    CRLF after it), no token expansion (--no-data-fixup). (ok, queue id, transcript)."""
    stuffed = b"".join(b"." + line if line.startswith(b".") else line
                       for line in case.message.splitlines(keepends=True))
    path = os.path.join(workdir, f"{case.name}.smtp")
    with open(path, "wb") as f:
        f.write(stuffed + b".")
    try:
        p = subprocess.run(["swaks", "--server", "127.0.0.1", "--port", str(port), "--helo", HELO,
                            "--from", MAIL_FROM, "--to", case.rcpt, "--data", "@" + path,
                            "--no-data-fixup", "--timeout", "60"],
                           capture_output=True, timeout=90)
    except subprocess.TimeoutExpired:
        return False, None, "swaks timed out"
    transcript = p.stdout.decode("utf-8", "replace") + p.stderr.decode("utf-8", "replace")
    m = QUEUED.search(transcript)
    return p.returncode == 0 and m is not None, m and m[1], transcript


def send_smtplib(case, port):
    """SMTPUTF8 and BODY=8BITMIME on MAIL FROM; smtplib dot-stuffs. (ok, queue id, transcript)."""
    try:
        with smtplib.SMTP("127.0.0.1", port, local_hostname=HELO, timeout=60) as s:
            s.ehlo()
            code, resp = s.mail(MAIL_FROM, ["SMTPUTF8", "BODY=8BITMIME"])
            if code != 250:
                return False, None, f"MAIL FROM: {code} {resp!r}"
            code, resp = s.rcpt(case.rcpt)
            if code != 250:
                return False, None, f"RCPT TO: {code} {resp!r}"
            code, resp = s.data(case.message)
            text = resp.decode("utf-8", "replace")
            m = QUEUED.search(text)
            return code == 250 and m is not None, m and m[1], f"DATA: {code} {text}"
    except (OSError, smtplib.SMTPException) as e:
        return False, None, f"smtplib: {e!r}"


# --- checking what was delivered --------------------------------------------------------------

def split_fields(message):
    """[(name, raw field bytes with its folding)] of the header block; LF or CRLF input."""
    head = re.split(rb"\r?\n\r?\n", message, maxsplit=1)[0]
    fields = []
    for line in re.split(rb"(?<=\n)", head + b"\n"):
        if not line.strip(b"\r\n"):
            continue
        if line[:1] in (b" ", b"\t") and fields:
            fields[-1][1] += line
        else:
            fields.append([line.split(b":", 1)[0].strip().lower().decode("latin-1"), line])
    return [(name, raw.rstrip(b"\r\n")) for name, raw in fields]


def unfold(raw):
    return re.sub(rb"\r?\n(?=[ \t])", b"", raw).decode("utf-8", "replace")


def parse_ar(raw):
    """python3-authres: (authserv-id, [(method, result, {ptype.property: value})])."""
    parsed = authres.FeatureContext(authres.dmarc).parse(unfold(raw))
    return parsed.authserv_id, [(r.method, r.result, {f"{p.type}.{p.name}": p.value
                                                      for p in r.properties})
                                for r in parsed.results]


def authserv_id_of(raw):
    value = unfold(raw).split(":", 1)[1]
    value = re.sub(r"\([^)]*\)", " ", value)  # CFWS before the authserv-id
    return value.split(";", 1)[0].strip().strip('"').lower()


def check_authentication_results(case, delivered, problems):
    """Appends what is wrong to `problems`; returns (our A-R unfolded, a short summary)."""
    fields = split_fields(delivered)
    ars = [(i, raw) for i, (name, raw) in enumerate(fields) if name == "authentication-results"]
    ours = [(i, raw) for i, raw in ars if authserv_id_of(raw) == AUTHSERV_ID.lower()]
    if len(ours) != 1:
        problems.append(f"{len(ours)} A-R fields with authserv-id {AUTHSERV_ID} (want 1): " +
                        " | ".join(unfold(raw) for _, raw in ours))
    if not ours:
        return "", "no A-R of ours"
    top, raw = ours[0]
    if ars[0][0] != top:
        problems.append(f"ours is not the topmost A-R: {unfold(ars[0][1])}")
    sent_first = next(r for n, r in split_fields(case.message)
                      if n != "authentication-results" or authserv_id_of(r) != AUTHSERV_ID.lower())
    first_sent = next((i for i, (_, r) in enumerate(fields) if r == sent_first), None)
    if first_sent is None or top > first_sent:
        problems.append(f"our A-R is not above the fields the client sent (index {top}, first "
                        f"sent field at {first_sent})")
    for foreign in case.foreign_ar:
        if foreign not in [r for _, r in ars]:
            problems.append(f"foreign A-R changed or gone: {unfold(foreign)}")
    try:
        serv_id, results = parse_ar(raw)
    except Exception as e:  # noqa: BLE001 - an unparsable header is a finding
        problems.append(f"python3-authres cannot parse {unfold(raw)!r}: {e!r}")
        return unfold(raw), "unparsable A-R"
    if serv_id != AUTHSERV_ID:
        problems.append(f"authserv-id {serv_id!r}")
    dkim_got = {}
    for method, result, props in results:
        if method == "dkim":
            dkim_got.setdefault(props.get("header.s", ""), []).append(result)
    want = {s: [r] for s, r in case.expect.items()} if case.expect else {"": ["none"]}
    if dkim_got != want:
        problems.append(f"dkim {dkim_got} want {want}")
    methods = {method: result for method, result, _ in results if method != "dkim"}
    if methods.get("spf") != "pass":
        problems.append(f"spf={methods.get('spf')} want pass")
    if methods.get("dmarc") != case.dmarc:
        problems.append(f"dmarc={methods.get('dmarc')} want {case.dmarc}")
    summary = " ".join(f"dkim={r}" + (f"(s={sel})" if sel else "")
                       for sel, rs in dkim_got.items() for r in rs)
    summary += "".join(f" {m}={r}" for m, r in methods.items())
    if case.forged:
        summary += f"; {case.forged} forged A-R removed"
    if case.foreign_ar:
        summary += f", {len(case.foreign_ar)} foreign kept"
    return unfold(raw), summary


def check_with_dkimpy(case, delivered, lookup, problems):
    """dkimpy on the delivered copy (CRLF, as on the wire) must give the pass/fail expected.
    Returns how many signatures it checked."""
    message = crlf(delivered)
    d = dkim.DKIM(message, minkey=1024)
    signatures = [raw for name, raw in split_fields(message) if name == "dkim-signature"]
    checked = 0
    for idx, raw in enumerate(signatures):
        selector = re.search(rb"\bs=\s*([\w.-]+)", raw.replace(b"\r\n", b""))[1].decode()
        want = case.expect.get(selector)
        if want not in ("pass", "fail"):
            continue
        checked += 1
        try:
            ok = d.verify(idx=idx, dnsfunc=lookup)
        except dkim.DKIMException as e:
            ok = False
            reason = str(e)
        else:
            reason = ""
        if ok != (want == "pass"):
            problems.append(f"dkimpy on the delivered copy: s={selector} "
                            f"{'pass' if ok else 'fail'} {reason}".rstrip() + f", want {want}")
    return checked


# --- the run ----------------------------------------------------------------------------------

class Kenind:
    """kenind -f on a free loopback port; stderr kept in a file; SIGTERM at the end."""

    def __init__(self, path, workdir, dns_args):
        self.path, self.workdir, self.dns_args = path, workdir, dns_args
        self.log_path = os.path.join(workdir, "kenind.log")
        self.proc = None
        self.port = None
        self.exit_code = None

    def supports(self, option):
        help_text = subprocess.run([self.path, "--help"], capture_output=True, text=True,
                                   timeout=10)
        return option in help_text.stdout + help_text.stderr

    def start(self):
        # An empty configuration file of our own: /etc/kenin/kenind.toml, read when there is no
        # -c, may exist on a machine that runs kenind for real.
        config = os.path.join(self.workdir, "kenind.toml")
        with open(config, "w") as f:
            f.write("# tests/e2e: the embedded defaults; the command line sets the rest\n")
        extra = ["--metrics", "off"] if self.supports("--metrics") else []
        for _ in range(5):
            self.port = mta.free_tcp_port()
            argv = [self.path, "-f", "-c", config, "--socket", f"inet:{self.port}@127.0.0.1",
                    "--authserv-id", AUTHSERV_ID, *self.dns_args, *extra]
            with open(self.log_path, "ab") as log:
                log.write(("+ " + " ".join(argv) + "\n").encode())
                log.flush()
                self.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log,
                                             stderr=subprocess.STDOUT, cwd=self.workdir,
                                             preexec_fn=mta.die_with_parent())
            if mta.wait_for_listener(self.port, time.monotonic() + 15,
                                     lambda: self.proc.poll() is None):
                return self
            self.stop()
        raise RuntimeError(f"kenind did not start listening:\n{self.log_text()[-3000:]}")

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


def milter_warnings(log_text):
    return [line for line in log_text.splitlines()
            if re.search(r"milter|warning|fatal|panic|error", line, re.I)
            and "postfix/master" not in line]


def run(args, workdir, tally):
    kenin = dnstest.Kenin(args.kenin, workdir)
    keys = {"rsa2048": messages.make_key(kenin, "rsa2048", "rsa"),
            "ed25519": messages.make_key(kenin, "ed25519", "ed25519")}
    records = dns_records(keys)
    all_cases = messages.cases(keys, AUTHSERV_ID)
    milter_mode = bool(args.kenind or args.milter)
    if not milter_mode:
        print("NOTE no --kenind or --milter: Postfix without a milter (checks the harness only)")

    ns = dnstest.TestNs(testns_datafile(records, os.path.join(workdir, "testns.data")),
                        os.path.join(workdir, "testns.log"), args.ldns_testns)
    kenind = None
    with ns, mta.CaptureSink(os.path.join(workdir, "delivered")) as sink:
        milters = args.milter or ""
        if args.kenind:
            kenind = Kenind(args.kenind, workdir, [])
            if kenind.supports("--resolver"):
                kenind.dns_args = ["--resolver", ns.server]
                print(f"NOTE kenind DNS: ldns-testns at {ns.server}")
            else:
                kenind.dns_args = ["--zone", zone_file(records, os.path.join(workdir, "keys.zone"))]
                print("NOTE kenind has no --resolver: DNS from --zone")
            kenind.start()
            milters = f"inet:127.0.0.1:{kenind.port}"
        try:
            with mta.PrivatePostfix(workdir, sink.port, milters) as postfix:
                queue_ids = send_all(all_cases, postfix, workdir, tally)
                delivered = wait_for_delivery(sink, [c for c in all_cases if c.name in queue_ids])
                for case in all_cases:
                    if case.name in queue_ids:
                        check_case(case, delivered.get(case.name, []), queue_ids[case.name],
                                   postfix, records, milter_mode, tally)
                others = [env for env, _ in sink.messages()
                          if not any(r.startswith(f"<{c.name}@") for c in all_cases
                                     for r in env["rcpt"])]
                tally.check(not others, "no bounce or stray message delivered",
                            f"{len(others)} unexpected: {others[:3]}")
                warnings = milter_warnings(postfix.log_text())
                tally.check(not warnings, "Postfix log without milter warnings or errors",
                            "\n  " + "\n  ".join(warnings[:20]))
        finally:
            if kenind:
                kenind.stop()
        if kenind:
            log = kenind.log_text()
            lines = log.splitlines()
            wrong = {qid: n for qid in queue_ids.values()
                     if (n := sum(qid in line for line in lines)) != 1}
            tally.check(not wrong, "kenind logged one line per message (by queue id)",
                        f"queue id: lines {wrong}; log tail:\n{log[-1500:]}",
                        note=f"{len(queue_ids)} messages")
            tally.check(kenind.exit_code == 0, "kenind exits 0 on SIGTERM",
                        f"exit {kenind.exit_code}; log tail:\n{log[-1500:]}")
    if milter_mode and args.kenind and kenind.dns_args[0] == "--resolver":
        known = set(records) | {(name, "TXT") for name in dnstest.DMARC_NAMES}
        known.add(("server.stop.", "TXT"))  # how dnstest.TestNs stops the server
        unknown = sorted({f"{q[2]} {q[3]}" for q in ns.queries(dmarc=True)
                          if (q[2], q[3]) not in known})
        tally.check(not unknown, "every DNS query of kenind had an answer",
                    f"no entry (so no answer) for: {unknown}")


def send_all(all_cases, postfix, workdir, tally):
    """Sends every case; a refused one is a failed case at once. {case name: queue id}."""
    queue_ids = {}
    for case in all_cases:
        if case.smtputf8:
            ok, qid, transcript = send_smtplib(case, postfix.port)
        else:
            ok, qid, transcript = send_swaks(case, postfix.port, workdir)
        if ok:
            queue_ids[case.name] = qid
        else:
            tally.check(False, case.name, f"not accepted by Postfix:\n{transcript[-1500:]}"
                        f"{postfix.log_tail(15)}")
    return queue_ids


def wait_for_delivery(sink, expected):
    """{case name: [delivered message bytes]} once every expected case arrived (bounded)."""
    deadline = time.monotonic() + DELIVERY_WAIT
    while True:
        delivered = {}
        for envelope, message in sink.messages():
            for rcpt in envelope["rcpt"]:
                m = re.match(r"<([^@>]+)@", rcpt)
                if m:
                    delivered.setdefault(m[1], []).append(message)
        if all(c.name in delivered for c in expected) or time.monotonic() > deadline:
            return delivered
        time.sleep(0.1)


def check_case(case, copies, queue_id, postfix, records, milter_mode, tally):
    problems = []
    full, summary, dkimpy_checked = "", "", 0
    if len(copies) != 1:
        problems.append(f"delivered {len(copies)} times (queue id {queue_id}); Postfix log:\n  " +
                        "\n  ".join(postfix.log_lines_for(queue_id)))
    else:
        delivered = copies[0]
        if milter_mode:
            full, summary = check_authentication_results(case, delivered, problems)
        dkimpy_checked = check_with_dkimpy(case, delivered, dkimpy_dns(records), problems)
    want = " ".join(f"{r}(s={s})" for s, r in case.expect.items()) or "none"
    tally.check(not problems, case.name, "\n  ".join(problems) + (f"\n  A-R: {full}" if full else ""),
                note=f"want dkim={want}; " + (f"got {summary}" if summary else "delivered") +
                ("; dkimpy agrees on the delivered copy" if dkimpy_checked else ""))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kenin", required=True, help="the kenin binary (keygen)")
    parser.add_argument("--kenind", help="the kenind binary; started here")
    parser.add_argument("--milter", help="a running milter instead, e.g. inet:127.0.0.1:8891")
    parser.add_argument("--authserv-id", help="the authserv-id of --milter")
    parser.add_argument("--ldns-testns", default="ldns-testns")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    args = parser.parse_args()
    args.kenin = os.path.abspath(args.kenin)
    args.kenind = args.kenind and os.path.abspath(args.kenind)
    if args.authserv_id:
        global AUTHSERV_ID
        AUTHSERV_ID = args.authserv_id
    if os.geteuid() != 0:
        print("SKIP: needs root (a private Postfix instance runs its daemons as user postfix)")
        return 77
    for tool in ("swaks", mta.POSTFIX, "openssl"):
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


if __name__ == "__main__":
    sys.exit(main())
