#!/usr/bin/env python3
"""Checks `kenin verify` on the bundled sample messages that the run command shows.

Each file name ends in the verdict(s) its signatures must get (e.g. 04-body-altered-fail);
this runs the real binary, reads its JSON, and also checks the exit code and the `ar` form.
"""
import json
import pathlib
import subprocess
import sys

kenin, data = sys.argv[1], pathlib.Path(sys.argv[2])
zone = data / "zones" / "sample.zone"
passed = failed = 0


def check(condition, what):
    global passed, failed
    if condition:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)


messages = sorted((data / "messages").glob("*.eml"))
out = subprocess.run([kenin, "verify", "--format", "json", "--authserv-id", "mx.test",
                      "--zone", str(zone), *map(str, messages)],
                     capture_output=True, text=True)
check(out.returncode == 0, f"exit code {out.returncode}: {out.stderr}")
reports = [json.loads(line) for line in out.stdout.splitlines()]
check(len(reports) == len(messages), "one JSON object per message, in input order")
for message, report in zip(messages, reports):
    expected = message.stem.rsplit("-", 1)[1]
    results = [sig["result"] for sig in report["dkim"]] or ["none"]
    check(report["file"] == str(message), f"file field {report['file']}")
    check(all(r == expected for r in results), f"{message.name}: {results} != {expected}")
    check(report["authentication_results"].startswith("mx.test; dkim="), report["authentication_results"])

ar = subprocess.run([kenin, "verify", "--zone", str(zone), "--authserv-id", "mx.test", str(messages[0])],
                    capture_output=True, text=True)
check(ar.stdout.startswith("Authentication-Results: mx.test;\n\tdkim=pass"), f"ar format: {ar.stdout!r}")
missing = subprocess.run([kenin, "verify", "--zone", str(zone), "/nonexistent.eml"], capture_output=True)
check(missing.returncode == 1, "exit 1 on an unreadable file")
usage = subprocess.run([kenin, "verify", "--format", "xml", "--zone", str(zone)], capture_output=True)
check(usage.returncode == 2, "exit 2 on a usage error")

print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
