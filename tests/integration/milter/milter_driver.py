#!/usr/bin/env python3
"""Runs one miltertest Lua script against the real kenind (CTest: one test per script).

Makes a key, a zone and signed messages, starts `kenind -f --zone test.zone` on a free
loopback port (with NAME.toml beside the script as its configuration, if there is one),
runs `miltertest -s NAME.lua`, stops kenind with SIGTERM and checks:
  - the script ran to its end (exit 0; it raises an error on the first wrong answer),
  - every "EXPECT-LOG: REGEX" line the script printed matches a line of kenind's log
    (one line per message: queue id, client, results, action, time), and no
    "EXPECT-NO-LOG: REGEX" line does,
  - kenind logged no error (unless the script printed "ALLOW-ERRORS") and exited 0.
Prints one PASS/FAIL line per check and "N passed, M failed".
"""
import argparse
import os
import re
import sys
import tempfile

from milterenv import AUTHSERV_ID, Kenind, Tally, free_port, make_data, run_miltertest


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kenind", required=True)
    parser.add_argument("--kenin", required=True)
    parser.add_argument("--miltertest", required=True)
    parser.add_argument("--script", required=True)
    args = parser.parse_args()
    name = os.path.splitext(os.path.basename(args.script))[0]
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="kenind-test-") as data:
        make_data(args.kenin, data)
        config = os.path.splitext(args.script)[0] + ".toml"
        if not os.path.exists(config):
            config = os.path.join(data, "empty.toml")
            open(config, "w").close()
        socket_spec = f"inet:{free_port()}@127.0.0.1"
        kenind = Kenind(args.kenind, ["-c", config, "--socket", socket_spec,
                                      "--zone", os.path.join(data, "test.zone"),
                                      "--authserv-id", AUTHSERV_ID])
        try:
            if not tally.check(kenind.wait_for("listening on"), f"{name}: kenind starts",
                               kenind.log()):
                return tally.finish()
            code, output = run_miltertest(args.miltertest, args.script, socket_spec, data)
        finally:
            exit_code = kenind.stop()
        print(output, end="" if output.endswith("\n") else "\n")
        tally.check(code == 0, f"{name}: miltertest script", f"exit {code}")
        for pattern in re.findall(r"^EXPECT-LOG: (.*)$", output, re.MULTILINE):
            tally.check(any(re.search(pattern, line) for line in kenind.lines),
                        f"{name}: log line /{pattern}/", kenind.log())
        for pattern in re.findall(r"^EXPECT-NO-LOG: (.*)$", output, re.MULTILINE):
            matching = [line for line in kenind.lines if re.search(pattern, line)]
            tally.check(not matching, f"{name}: no log line /{pattern}/", "\n".join(matching))
        if "ALLOW-ERRORS" not in output:
            errors = [line for line in kenind.lines if "error:" in line]
            tally.check(not errors, f"{name}: no internal error logged", "\n".join(errors))
        tally.check(exit_code == 0, f"{name}: kenind exits 0 on SIGTERM", f"exit {exit_code}")
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
