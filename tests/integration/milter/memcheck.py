#!/usr/bin/env python3
"""Every miltertest script of the suite against kenind under a memory checker: ASan+LSan (a
KENIN_SANITIZE="address;..." build; CTest milter.memcheck there) or valgrind memcheck (any
build; by hand, it takes minutes):

    memcheck.py --tool asan --kenind build-asan/milter/kenind --kenin build-asan/tools/kenin \
                --miltertest /usr/bin/miltertest
    memcheck.py --tool valgrind --kenind build/milter/kenind ...

Each script runs as milter_driver.py runs it (its own kenind, its .toml, the same checks), and
then disconnect_midway.lua (connections dropped mid-header and mid-body) once more with kenind
asking a nameserver that never answers, so that the dropped messages still have DNS lookups in
flight when they go. Every run must end clean: kenind exits 0 after SIGTERM, which under ASan
means LeakSanitizer found no leak (ASAN_OPTIONS exitcode=23) and under valgrind no error and no
definite or indirect leak (--error-exitcode=23), and its stderr carries no report.
Prints one PASS/FAIL line per check and "N passed, M failed".
"""
import argparse
import glob
import os
import socket
import subprocess
import sys
import tempfile

from milter_driver import drive
from milterenv import Tally, make_data, sanitizer_environment

HERE = os.path.dirname(os.path.abspath(__file__))
VALGRIND = ["valgrind", "--quiet", "--error-exitcode=23", "--leak-check=full",
            "--show-leak-kinds=definite,indirect", "--errors-for-leak-kinds=definite,indirect",
            "--num-callers=30"]
# A lookup to the silent nameserver gives up after 300 ms: the dropped messages' lookups are
# still waiting when their connections go, and the messages that end get dkim=temperror.
SILENT_DNS_CONFIG = "[dns]\ntimeout_ms = 300\nattempts = 1\n"


def scripts():
    """The per-message scripts (CTest milter.NAME); lifecycle_*.lua need lifecycle.py."""
    return sorted(path for path in glob.glob(os.path.join(HERE, "*.lua"))
                  if os.path.basename(path) != "common.lua"
                  and not os.path.basename(path).startswith("lifecycle_"))


def instrumented(kenind):
    """True when `kenind` was built with AddressSanitizer (it lists its flags on help=1)."""
    env = sanitizer_environment()
    env["ASAN_OPTIONS"] = "help=1"
    result = subprocess.run([kenind, "--version"], capture_output=True, text=True, env=env,
                            timeout=30)
    return "AddressSanitizer" in result.stdout + result.stderr


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kenind", required=True)
    parser.add_argument("--kenin", required=True)
    parser.add_argument("--miltertest", required=True)
    parser.add_argument("--tool", choices=("asan", "valgrind"), required=True)
    args = parser.parse_args()
    tally = Tally()
    if args.tool == "asan":
        wrapper, slow = (), 2
        if not tally.check(instrumented(args.kenind), "kenind is built with AddressSanitizer",
                           f"{args.kenind}: no ASan runtime (configure with "
                           "-DKENIN_SANITIZE=\"address;undefined\")"):
            return tally.finish()
    else:
        wrapper, slow = VALGRIND, 10
    with tempfile.TemporaryDirectory(prefix="kenind-memcheck-") as data:
        make_data(args.kenin, data)
        for script in scripts():
            drive(args, script, data, tally, wrapper=wrapper, slow=slow)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
            silent.bind(("127.0.0.1", 0))  # takes every query, answers none
            config = os.path.join(data, "silent-dns.toml")
            with open(config, "w") as f:
                f.write(SILENT_DNS_CONFIG)
            print("disconnect_midway.lua again, with a nameserver that never answers:")
            drive(args, os.path.join(HERE, "disconnect_midway.lua"), data, tally,
                  dns_args=["--resolver", f"127.0.0.1:{silent.getsockname()[1]}"],
                  config=config, defines={"WANT": "temperror"}, wrapper=wrapper, slow=slow)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
