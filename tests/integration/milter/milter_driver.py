#!/usr/bin/env python3
"""Runs one miltertest Lua script against the real kenind (CTest: one test per script).

Makes a key, a zone and signed messages, starts `kenind -f --zone test.zone` on a free
loopback port (with NAME.toml beside the script as its configuration, if there is one),
runs `miltertest -s NAME.lua`, stops kenind with SIGTERM and checks:
  - the script ran to its end (exit 0; it raises an error on the first wrong answer),
  - every "EXPECT-LOG: REGEX" line the script printed matches a line of kenind's log
    (one line per message: queue id, client, results, action, time), and no
    "EXPECT-NO-LOG: REGEX" line does,
  - kenind logged no error (unless the script printed "ALLOW-ERRORS") and exited 0,
  - no sanitizer report on its stderr (in a KENIN_SANITIZE build; milterenv.py).
Prints one PASS/FAIL line per check and "N passed, M failed". memcheck.py runs the scripts
through drive() too, under ASan or valgrind.
"""
import argparse
import os
import re
import sys
import tempfile

from milterenv import AUTHSERV_ID, Kenind, Tally, free_port, make_data, run_miltertest


def drive(args, script, data, tally, dns_args=None, config=None, defines=None, wrapper=(),
          slow=1):
    """One script against a kenind of its own: `dns_args` (default: --zone DATA/test.zone),
    `config` (default: NAME.toml beside the script, else an empty file), `defines` for the
    script, `wrapper` around kenind (valgrind), every wait `slow` times longer. Returns kenind."""
    name = os.path.splitext(os.path.basename(script))[0]
    if config is None:
        config = os.path.splitext(script)[0] + ".toml"
        if not os.path.exists(config):
            config = os.path.join(data, "empty.toml")
            open(config, "w").close()
    socket_spec = f"inet:{free_port()}@127.0.0.1"
    dns_args = dns_args or ["--zone", os.path.join(data, "test.zone")]
    kenind = Kenind(args.kenind, ["-c", config, "--socket", socket_spec, *dns_args,
                                  "--authserv-id", AUTHSERV_ID], wrapper=wrapper)
    try:
        if not tally.check(kenind.wait_for("listening on", 10 * slow), f"{name}: kenind starts",
                           kenind.log()):
            return kenind
        code, output = run_miltertest(args.miltertest, script, socket_spec, data, 60 * slow,
                                      defines)
    finally:
        exit_code = kenind.stop(10 * slow)
    print(output, end="" if output.endswith("\n") else "\n")
    tally.check(code == 0, f"{name}: miltertest script", f"exit {code}")
    for pattern in re.findall(r"^EXPECT-LOG: (.*)$", output, re.MULTILINE):
        tally.check(any(re.search(pattern, line) for line in kenind.lines),
                    f"{name}: log line /{pattern}/", kenind.log())
    for pattern in re.findall(r"^EXPECT-NO-LOG: (.*)$", output, re.MULTILINE):
        matching = [line for line in kenind.lines if re.search(pattern, line)]
        tally.check(not matching, f"{name}: no log line /{pattern}/", "\n".join(matching))
    if "ALLOW-ERRORS" not in output:
        errors = [line for line in kenind.lines if re.search(r"\berror[:=]", line)]  # not temperror:
        tally.check(not errors, f"{name}: no internal error logged", "\n".join(errors))
    reports = kenind.memory_reports()
    tally.check(not reports, f"{name}: no memory error or leak reported",
                "\n".join(reports[:20]) + "\n" + kenind.log()[-6000:])
    tally.check(exit_code == 0, f"{name}: kenind exits 0 on SIGTERM",
                f"exit {exit_code}\n" + kenind.log()[-3000:])
    return kenind


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kenind", required=True)
    parser.add_argument("--kenin", required=True)
    parser.add_argument("--miltertest", required=True)
    parser.add_argument("--script", required=True)
    args = parser.parse_args()
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="kenind-test-") as data:
        make_data(args.kenin, data)
        drive(args, args.script, data, tally)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
