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
import os
import re
import subprocess
import sys

import dkim

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import dnstest  # noqa: E402  (tests/integration: ldns-testns helper, Tally, kenin keygen)
import messages  # noqa: E402
import mta  # noqa: E402
from messages import (AUTHSERV_ID, HELO, MAIL_FROM, authserv_id_of, crlf,  # noqa: E402
                      dns_records, parse_ar, split_fields, unfold)

DELIVERY_WAIT = 60  # seconds, after the last message was accepted


# --- DNS ------------------------------------------------------------------------------------

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
    m = mta.QUEUED.search(transcript)
    return p.returncode == 0 and m is not None, m and m[1], transcript


# --- checking what was delivered --------------------------------------------------------------

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

def run(args, workdir, tally):
    kenin = dnstest.Kenin(args.kenin, workdir)
    keys = messages.make_keys(kenin)
    records = dns_records(keys)
    all_cases = messages.cases(keys, AUTHSERV_ID)
    milter_mode = bool(args.kenind or args.milter)
    if not milter_mode:
        print("NOTE no --kenind or --milter: Postfix without a milter (checks the harness only)")

    ns = dnstest.TestNs(dnstest.write_datafile(records, os.path.join(workdir, "testns.data")),
                        os.path.join(workdir, "testns.log"), args.ldns_testns)
    kenind = None
    with ns, mta.CaptureSink(os.path.join(workdir, "delivered")) as sink:
        milters = args.milter or ""
        if args.kenind:
            kenind = mta.Kenind(args.kenind, workdir, [], AUTHSERV_ID)
            if kenind.supports("--resolver"):
                kenind.dns_args = ["--resolver", ns.server]
                print(f"NOTE kenind DNS: ldns-testns at {ns.server}")
            else:
                kenind.dns_args = ["--zone", zone_file(records, os.path.join(workdir, "keys.zone"))]
                print("NOTE kenind has no --resolver: DNS from --zone")
            kenind.start()
            milters = kenind.milter
        try:
            with mta.PrivatePostfix(workdir, sink.port, milters) as postfix:
                queue_ids = send_all(all_cases, postfix, workdir, tally)
                delivered = sink.wait_for(list(queue_ids), DELIVERY_WAIT)
                for case in all_cases:
                    if case.name in queue_ids:
                        check_case(case, delivered.get(case.name, []), queue_ids[case.name],
                                   postfix, records, milter_mode, tally)
                mta.check_mail_path(tally, sink, postfix, [c.name for c in all_cases])
        finally:
            if kenind:
                kenind.stop()
        if kenind:
            kenind.check_stopped(tally, list(queue_ids.values()))
            check_no_stall(kenind, tally)
    if milter_mode and args.kenind and kenind.dns_args[0] == "--resolver":
        known = set(records) | {(name, "TXT") for name in dnstest.DMARC_NAMES}
        known.add(("server.stop.", "TXT"))  # how dnstest.TestNs stops the server
        unknown = sorted({f"{q[2]} {q[3]}" for q in ns.queries(dmarc=True)
                          if (q[2], q[3]) not in known})
        tally.check(not unknown, "every DNS query of kenind had an answer",
                    f"no entry (so no answer) for: {unknown}")


def check_no_stall(kenind, tally):
    """No message waits for a delayed ACK on kenind's inet socket (issue 7, milter/listener.h).
    Between MAIL FROM and the end of the message Postfix sends what kenind does not answer in
    small writes, with Nagle on; when kenind's kernel held its ACKs back, every message took
    40 ms or more (the delayed-ACK timer) instead of a few."""
    times = sorted(int(lines[0]["total_ms"]) for lines in kenind.message_lines().values())
    median = times[len(times) // 2] if times else None
    tally.check(median is not None and median < 38, "no delayed-ACK stall on the inet socket",
                f"median total_ms {median} (a stall makes it 40 or more): {times}",
                note=f"median total_ms {median}")


def send_all(all_cases, postfix, workdir, tally):
    """Sends every case; a refused one is a failed case at once. {case name: queue id}."""
    queue_ids = {}
    for case in all_cases:
        if case.smtputf8:
            ok, qid, transcript = mta.send_smtp(postfix.port, MAIL_FROM, case.rcpt, case.message,
                                                HELO, ["SMTPUTF8", "BODY=8BITMIME"])
        else:
            ok, qid, transcript = send_swaks(case, postfix.port, workdir)
        if ok:
            queue_ids[case.name] = qid
        else:
            tally.check(False, case.name, f"not accepted by Postfix:\n{transcript[-1500:]}"
                        f"{postfix.log_tail(15)}")
    return queue_ids


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


def add_arguments(parser):
    parser.add_argument("--milter", help="a running milter instead, e.g. inet:127.0.0.1:8891")
    parser.add_argument("--authserv-id", help="the authserv-id of --milter")


def main():
    def run_with(args, workdir, tally):
        if args.authserv_id:
            global AUTHSERV_ID
            AUTHSERV_ID = args.authserv_id
        run(args, workdir, tally)
    return mta.main(__doc__, run_with, add_arguments, tools=("swaks", "openssl"))


if __name__ == "__main__":
    sys.exit(main())
