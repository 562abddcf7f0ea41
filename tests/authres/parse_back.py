#!/usr/bin/env python3
"""Parses every header kenin renders with two independent parsers and compares.

Input: the JSON lines of render_combinations (argv[1] is that program). Each header is
parsed by python3-authres (Debian python3-authres) and by Perl's Mail::AuthenticationResults
(Debian libmail-authenticationresults-perl, through parse_back.pl); both must yield the
authserv-id, and per resinfo the method, result, reason and properties kenin meant.
"""
import json
import pathlib
import subprocess
import sys

import authres
import authres.dmarc

render, here = sys.argv[1], pathlib.Path(__file__).parent
cases = [json.loads(line) for line in subprocess.run([render], check=True, capture_output=True,
                                                      text=True).stdout.splitlines()]
passed = failed = 0


def check(ok, what):
    global passed, failed
    passed += ok
    failed += not ok
    if not ok:
        print("FAIL:", what)


def python_parse(header):
    parsed = authres.FeatureContext(authres.dmarc).parse("Authentication-Results: " + header)
    return parsed.authserv_id, [
        {"method": r.method, "result": r.result, "reason": r.reason or "",
         "properties": {f"{p.type}.{p.name}": p.value for p in r.properties}}
        for r in parsed.results]


perl = subprocess.run(["perl", str(here / "parse_back.pl")], input="\n".join(
    json.dumps(c["folded"]) for c in cases) + "\n", capture_output=True, text=True)
check(perl.returncode == 0, f"perl parser exited {perl.returncode}: {perl.stderr[-2000:]}")
perl_results = [json.loads(line) for line in perl.stdout.splitlines()]
check(len(perl_results) == len(cases), "perl parsed every header")

for case, from_perl in zip(cases, perl_results):
    header, expected = case["folded"], case["results"]
    try:
        serv_id, results = python_parse(header)
        check(serv_id == case["authserv_id"], f"authres authserv-id {serv_id!r}: {header!r}")
        check(results == expected, f"authres:\n  got  {results}\n  want {expected}\n  {header!r}")
    except Exception as error:  # a parse failure is a finding, reported with the header
        check(False, f"authres raised {error!r} on {header!r}")
    check(from_perl.get("authserv_id") == case["authserv_id"], f"perl authserv-id: {from_perl}")
    check(from_perl.get("results") == expected,
          f"Mail::AuthenticationResults:\n  got  {from_perl.get('results')}\n  want {expected}\n  {header!r}")

print(f"{len(cases)} headers, each parsed by python3-authres and Mail::AuthenticationResults")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
