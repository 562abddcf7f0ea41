#!/usr/bin/python3
"""ARC through Postfix (issue 9): mail from a DMARC p=reject domain, broken by a mailing list
that ARC-seals it, keeps flowing when kenind trusts that list, and only then.

    smtplib --> Postfix smtpd --milter--> kenind --DNS--> ldns-testns
    (from 127.0.0.1,   | relay
     the list's IP)    v
               capture server

The message is signed by the origin (dkimpy `dkim.sign`, d=origin.example, which publishes
DMARC p=reject). The list then does what lists do (RFC 7960 §3.2.3): it records what it saw in
an Authentication-Results field of its own (dkim=pass, dmarc=pass), tags the Subject, appends a
footer to the body and ARC-seals the result (dkimpy `dkim.arc_sign`, d=lists.forwarder.example),
and sends it from its own envelope domain, whose SPF allows 127.0.0.1 (spf=pass, not aligned
with From). On arrival DKIM fails (body hash), so DMARC fails with p=reject.

kenind runs with DMARC enforcement on, and is reloaded (SIGHUP) between three phases:
  trusted    [arc] trusted_sealers = the list: the sealed message is delivered with arc=pass
             (smtp.remote-ip=127.0.0.1), dmarc=fail "(p=reject dis=none)" and
             policy.arc-override=lists.forwarder.example; a copy whose body was changed after
             the seal is rejected (550 5.7.1): its chain fails, so no override. kenind's log
             line shows arc=pass:<list> arc_override=<list>.
  untrusted  no trusted sealer: the same sealed message is rejected with 550 5.7.1.
  report     no trusted sealer and enforcement off, so what kenind says is delivered: the sealed
             message has arc=pass and dmarc=fail "(p=reject dis=reject)" with no override; the
             tampered copy has arc=fail with a reason.
Then `kenin verify` on the sealed message: with --trusted-sealer <list> DMARC disposition none
and the override, without it disposition reject, as kenind decided.

Run as root with /usr/bin/python3 (Debian's python3-dkim):
    arc_forward_e2e.py --kenin build/tools/kenin --kenind build/milter/kenind [--keep]
Prints one line per check and "N passed, M failed"; exits 1 on a failure, 77 when not root.
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import dkim  # noqa: E402
import dnstest  # noqa: E402
import messages  # noqa: E402
import mta  # noqa: E402

ORIGIN = "origin.example"
LIST = "lists.forwarder.example"
LIST_AUTHSERV_ID = "mx.forwarder.example"
AUTHSERV_ID = messages.AUTHSERV_ID
MAIL_FROM = f"list-bounces@{LIST}"
HELO = f"mail.{LIST}"
DELIVERY_WAIT = 30
TRUSTED = f'[dmarc]\nenforcement = "on"\n[arc]\ntrusted_sealers = ["{LIST}"]\n'
UNTRUSTED = '[dmarc]\nenforcement = "on"\n[arc]\ntrusted_sealers = []\n'
REPORT_ONLY = '[dmarc]\nenforcement = "off"\n[arc]\ntrusted_sealers = []\n'


def dns_records(origin_key, list_key):
    """Keys, SPF, DMARC; every other name kenind may ask (the DMARC tree walks of the From,
    signing and envelope domains) is NXDOMAIN, so nothing waits for a timeout."""
    records = {(f"s1._domainkey.{ORIGIN}.", "TXT"): origin_key.txt,
               (f"arc._domainkey.{LIST}.", "TXT"): list_key.txt,
               (f"_dmarc.{ORIGIN}.", "TXT"): "v=DMARC1; p=reject",
               (f"{LIST}.", "TXT"): "v=spf1 ip4:127.0.0.0/8 -all",
               (f"{ORIGIN}.", "TXT"): "v=spf1 -all"}
    for name in (f"_dmarc.{LIST}.", "_dmarc.forwarder.example.", "_dmarc.example.",
                 f"{HELO}.", f"_dmarc.{HELO}."):
        records[(name, "TXT")] = None
    return records


def forwarded_messages(origin_key, list_key):
    """(sealed, tampered): the list's copy as sent, and that copy changed after the seal."""
    original = messages.crlf(
        f"From: Alice <alice@{ORIGIN}>\n"
        f"To: discuss@{LIST}\n"
        "Subject: Meeting notes\n"
        "Date: Sat, 28 Nov 2026 12:00:00 +0000\n"
        f"Message-ID: <arc-e2e@{ORIGIN}>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=us-ascii\n"
        "\n"
        "Notes from today's meeting.\n".encode())
    signed = dkim.sign(original, b"s1", ORIGIN.encode(), origin_key.dkimpy_key,
                       canonicalize=(b"relaxed", b"simple"),
                       include_headers=[b"from", b"to", b"subject", b"date", b"message-id"])
    signed += original
    # What the list does on receipt: records its own verdicts, then modifies the message.
    header, body = signed.split(b"\r\n\r\n", 1)
    header = header.replace(b"Subject: Meeting notes", b"Subject: [discuss] Meeting notes")
    body += b"-- \r\ndiscuss mailing list\r\nhttps://lists.forwarder.example/discuss\r\n"
    received = (f"Authentication-Results: {LIST_AUTHSERV_ID}; dkim=pass header.d={ORIGIN} "
                f"header.s=s1; spf=pass smtp.mailfrom={ORIGIN}; dmarc=pass header.from={ORIGIN}"
                "\r\n").encode()
    modified = received + header + b"\r\n\r\n" + body
    seal = dkim.arc_sign(modified, b"arc", LIST.encode(), list_key.dkimpy_key,
                         LIST_AUTHSERV_ID.encode(),
                         include_headers=[b"from", b"to", b"subject", b"date", b"message-id",
                                          b"mime-version"])
    sealed = b"".join(seal) + modified
    tampered = sealed.replace(b"discuss mailing list", b"discuss mailing list (edited)")
    return sealed, tampered


def our_results(delivered, problems):
    """The resinfo of kenind's Authentication-Results in a delivered message, {method: text}."""
    fields = [raw.decode("latin-1").split(":", 1)[1] for name, raw in
              messages.split_fields(delivered) if name == "authentication-results"]
    ours = [v for v in fields if re.match(rf"\s*{re.escape(AUTHSERV_ID)}\s*;", v)]
    if len(ours) != 1:
        problems.append(f"{len(ours)} Authentication-Results of ours in {fields}")
        return {}
    text = re.sub(r"\s+", " ", ours[0])
    return {item.split("=", 1)[0].strip(): item.strip() for item in text.split(";")[1:]}


def send(postfix, name, message):
    return mta.send_smtp(postfix.port, MAIL_FROM, f"{name}@{messages.RCPT_DOMAIN}", message, HELO)


def check_delivered(tally, sink, postfix, name, qid, want, refuse=()):
    """The copy of `name` arrived once; each pattern of `want` (method: regex) matches its
    resinfo, none of `refuse` (method: regex) does."""
    delivered = sink.wait_for([name], DELIVERY_WAIT).get(name, [])
    problems = []
    results = {}
    if len(delivered) != 1:
        problems.append(f"delivered {len(delivered)} times; Postfix log:\n  " +
                        "\n  ".join(postfix.log_lines_for(qid)))
    else:
        results = our_results(delivered[0], problems)
        for method, pattern in want.items():
            if not re.fullmatch(pattern, results.get(method, "")):
                problems.append(f"{method}: want /{pattern}/, got {results.get(method)!r}")
        for method, pattern in refuse:
            if re.search(pattern, results.get(method, "")):
                problems.append(f"{method}: must not match /{pattern}/: {results.get(method)!r}")
    tally.check(not problems, f"{name}: delivered with {', '.join(want)} as expected",
                "\n  ".join(problems), note=f"{results.get('dmarc')}; {results.get('arc')}")


def check_rejected(tally, postfix, name, message):
    ok, _, transcript = send(postfix, name, message)
    tally.check(not ok and "550" in transcript and "5.7.1" in transcript,
                f"{name}: rejected with 550 5.7.1", transcript, note=transcript.strip()[:90])


def run(args, workdir, tally):
    kenin = dnstest.Kenin(args.kenin, workdir)
    origin_key = messages.make_key(kenin, "s1", "rsa")
    list_key = messages.make_key(kenin, "arc", "rsa")
    sealed, tampered = forwarded_messages(origin_key, list_key)
    records = dns_records(origin_key, list_key)
    ns = dnstest.TestNs(dnstest.write_datafile(records, os.path.join(workdir, "testns.data")),
                        os.path.join(workdir, "testns.log"), args.ldns_testns)
    with ns, mta.CaptureSink(os.path.join(workdir, "delivered")) as sink:
        kenind = mta.Kenind(args.kenind, workdir, ["--resolver", ns.server], AUTHSERV_ID,
                            config=TRUSTED)
        kenind.start()
        try:
            with mta.PrivatePostfix(workdir, sink.port, kenind.milter) as postfix:
                # trusted: the override keeps the list's mail; a broken chain does not.
                ok, qid, transcript = send(postfix, "trusted", sealed)
                tally.check(ok, "trusted: accepted by Postfix", transcript)
                if ok:
                    check_delivered(tally, sink, postfix, "trusted", qid, {
                        "arc": r"arc=pass( header\.oldest-pass=0)? smtp\.remote-ip=127\.0\.0\.1",
                        "dmarc": (r"dmarc=fail reason=.*\(p=reject dis=none\) "
                                  rf"header\.from={re.escape(ORIGIN)} "
                                  rf"policy\.arc-override={re.escape(LIST)}"),
                        "dkim": r"dkim=fail reason=\"body hash did not verify\".*",
                        "spf": rf"spf=pass smtp\.mailfrom={re.escape(LIST)}"})
                check_rejected(tally, postfix, "trusted-tampered", tampered)
                tally.check(f"arc=pass:{LIST} arc_override={LIST}" in kenind.log_text(),
                            "kenind's log line shows the chain and the override",
                            kenind.log_text()[-800:])

                kenind.write_config(UNTRUSTED)
                tally.check(kenind.reload(), "reloaded: no trusted sealer", kenind.log_text()[-800:])
                check_rejected(tally, postfix, "untrusted", sealed)

                kenind.write_config(REPORT_ONLY)
                tally.check(kenind.reload(), "reloaded: enforcement off", kenind.log_text()[-800:])
                for name, message, want in (
                        ("report", sealed, {
                            "arc": r"arc=pass( header\.oldest-pass=0)? smtp\.remote-ip=127\.0\.0\.1",
                            "dmarc": r"dmarc=fail reason=.*\(p=reject dis=reject\) header\.from=\S+"}),
                        ("report-tampered", tampered, {
                            "arc": (r"arc=fail reason=\"ARC-Message-Signature i=1: body hash did "
                                    r"not verify\" smtp\.remote-ip=127\.0\.0\.1"),
                            "dmarc": r"dmarc=fail reason=.*\(p=reject dis=reject\) header\.from=\S+"})):
                    ok, qid, transcript = send(postfix, name, message)
                    tally.check(ok, f"{name}: accepted by Postfix", transcript)
                    if ok:
                        check_delivered(tally, sink, postfix, name, qid, want,
                                        refuse=[("dmarc", "arc-override")])
        finally:
            kenind.stop()
        tally.check(kenind.exit_code == 0, "kenind exits 0 on SIGTERM", kenind.log_text()[-1500:])
        check_kenin_verify(tally, kenin, ns.server, sealed, workdir)


def check_kenin_verify(tally, kenin, server, sealed, workdir):
    """`kenin verify --trusted-sealer` decides as kenind with [arc] trusted_sealers does."""
    path = os.path.join(workdir, "sealed.eml")
    with open(path, "wb") as f:
        f.write(sealed)
    envelope = ("--ip", "127.0.0.1", "--mail-from", MAIL_FROM, "--helo", HELO)
    for trusted, disposition, override in ((("--trusted-sealer", LIST), "none", True),
                                           ((), "reject", False)):
        rc, reports, err, _ = kenin.verify_json(server, [path], *envelope, *trusted)
        report = reports[0] if len(reports) == 1 else {}
        got = (report.get("dmarc", {}).get("result"), report.get("dmarc", {}).get("disposition"),
               report.get("arc", {}).get("result"), report.get("arc", {}).get("override"))
        tally.check(rc == 0 and got == ("fail", disposition, "pass", override),
                    f"kenin verify {' '.join(trusted) or '(no trusted sealer)'}: "
                    f"dmarc fail, disposition {disposition}, arc pass, override {override}",
                    f"rc={rc} got={got} {err.strip()[:300]}")


def main():
    return mta.main(__doc__, run, tools=("openssl",))


if __name__ == "__main__":
    sys.exit(main())
