#!/usr/bin/env python3
"""End to end through `kenin verify`: DKIM + SPF + DMARC together (issue criterion).

Builds a zone with real keys (kenin keygen), SPF and DMARC records, signs messages with
kenin sign, and checks the JSON verdicts and the header:
  - aligned DKIM pass + SPF fail            -> dmarc=pass
  - unaligned DKIM pass + SPF softfail, p=reject -> dmarc=fail, disposition reject
  - no DMARC record                          -> dmarc=none
"""
import json
import pathlib
import subprocess
import sys
import tempfile

kenin = sys.argv[1]
passed = failed = 0


def check(ok, what):
    global passed, failed
    passed += bool(ok)
    failed += not ok
    print(("ok   " if ok else "FAIL ") + what)


def run(*args, stdin=None):
    return subprocess.run([kenin, *args], input=stdin, capture_output=True, text=True, timeout=60)


with tempfile.TemporaryDirectory() as tmp:
    tmp = pathlib.Path(tmp)
    zone = []
    for selector, domain in [("s1", "example.com"), ("s1", "thirdparty.net"), ("s1", "nodmarc.org")]:
        out = run("keygen", "--type", "ed25519", "-s", selector, "-d", domain, "-o", str(tmp / f"{domain}.pem"))
        check(out.returncode == 0, f"keygen {domain}")
        zone.append(out.stdout.strip())
    zone += [
        'example.com. 300 IN TXT "v=spf1 ip4:192.0.2.0/24 -all"',
        '_dmarc.example.com. 300 IN TXT "v=DMARC1; p=reject"',
        'bulk.example.com. 300 IN TXT "v=spf1 ip4:198.51.100.0/24 ~all"',
        'nodmarc.org. 300 IN TXT "v=spf1 -all"',
    ]
    (tmp / "test.zone").write_text("\n".join(zone) + "\n")

    def message(sender, domain):
        body = f"From: Someone <{sender}>\nTo: rcpt@example.net\nSubject: policy test\n" \
               "Date: Sat, 28 Nov 2026 10:00:00 +0000\nMessage-ID: <p@test>\n\nHello.\n"
        signed = run("sign", "-k", str(tmp / f"{domain}.pem"), "-a", "ed25519-sha256", "-d", domain,
                     "-s", "s1", "--timestamp", "1795860000", "-", stdin=body)
        check(signed.returncode == 0, f"sign as {domain}")
        return signed.stdout

    def verify(text, ip, mail_from):
        path = tmp / "m.eml"
        path.write_text(text)
        out = run("verify", "--zone", str(tmp / "test.zone"), "--format", "json", "--now", "1795860100",
                  "--authserv-id", "mx.test", "--ip", ip, "--helo", "mail.example.net",
                  "--mail-from", mail_from, str(path))
        check(out.returncode == 0, f"verify exit 0 ({out.stderr.strip()})")
        return json.loads(out.stdout)

    # 1. aligned DKIM pass (d=example.com) with SPF fail (client outside example.com's SPF).
    r = verify(message("alice@example.com", "example.com"), "203.0.113.9", "alice@example.com")
    check(r["dkim"][0]["result"] == "pass", "1: dkim pass")
    check(r["spf"]["result"] == "fail", f"1: spf fail ({r['spf']})")
    check(r["dmarc"]["result"] == "pass", f"1: dmarc pass ({r['dmarc']})")
    check(r["dmarc"]["disposition"] == "none", "1: disposition none")
    check("dmarc=pass" in r["authentication_results"] and "spf=fail" in r["authentication_results"],
          "1: header carries spf=fail and dmarc=pass")

    # 2. unaligned DKIM pass (d=thirdparty.net) with SPF softfail for bulk.example.com.
    r = verify(message("alice@example.com", "thirdparty.net"), "203.0.113.9", "bounce@bulk.example.com")
    check(r["dkim"][0]["result"] == "pass", "2: dkim pass (unaligned)")
    check(r["spf"]["result"] == "softfail", f"2: spf softfail ({r['spf']})")
    check(r["dmarc"]["result"] == "fail", f"2: dmarc fail ({r['dmarc']})")
    check(r["dmarc"]["policy"] == "reject" and r["dmarc"]["disposition"] == "reject",
          f"2: policy reject, disposition reject ({r['dmarc']})")
    check("(p=reject dis=reject)" in r["authentication_results"], "2: header shows p= and dis=")

    # 3. no DMARC record at all.
    r = verify(message("carol@nodmarc.org", "nodmarc.org"), "203.0.113.9", "carol@nodmarc.org")
    check(r["dmarc"]["result"] == "none", f"3: dmarc none ({r['dmarc']})")
    check("dmarc=none" in r["authentication_results"], "3: header dmarc=none")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
