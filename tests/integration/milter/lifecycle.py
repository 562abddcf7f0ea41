#!/usr/bin/env python3
"""kenind's life as a daemon (SPEC §5), with the real binary and the real miltertest:
configuration errors name the key and the line; SIGHUP reloads (messages in flight finish
on the old configuration, a broken file keeps the running one, repeated SIGHUPs never stop
it); SIGTERM drains an open connection and exits 0, a second SIGTERM stops at once; a unix socket gets socket_mode; the pid
file is written and removed; without -f it forks and the parent reports start-up; a busy
port fails the start with exit 1; as root it drops to `user`.
Prints one PASS/FAIL line per check and "N passed, M failed".
"""
import argparse
import os
import pwd
import signal
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import time

from milterenv import AUTHSERV_ID, Kenind, Tally, free_port, make_data, run_miltertest

HERE = os.path.dirname(os.path.abspath(__file__))


class Env:
    def __init__(self, args, data, tally):
        self.args = args
        self.data = data
        self.tally = tally
        self.zone = os.path.join(data, "test.zone")

    def config(self, name, text):
        path = os.path.join(self.data, name)
        with open(path, "w") as out:
            out.write(text)
        return path

    def start(self, config, extra=None, socket_spec=None):
        socket_spec = socket_spec or f"inet:{free_port()}@127.0.0.1"
        kenind = Kenind(self.args.kenind, ["-c", config, "--socket", socket_spec, "--zone", self.zone]
                        + (extra or []))
        started = kenind.wait_for("listening on")
        return kenind, socket_spec, started

    def script(self, name, socket_spec, **defines):
        return run_miltertest(self.args.miltertest, os.path.join(HERE, name), socket_spec, self.data,
                              extra={key.upper(): str(value) for key, value in defines.items()})

    def background_script(self, name, socket_spec, **defines):
        common = os.path.join(HERE, "common.lua")
        values = {"SOCKET": socket_spec, "DATA": self.data, "COMMON": common, "AUTHSERV": AUTHSERV_ID}
        values.update({key.upper(): str(value) for key, value in defines.items()})
        command = [self.args.miltertest, "-s", os.path.join(HERE, name)]
        for key, value in values.items():
            command += ["-D", f"{key}={value}"]
        return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def config_errors(env):
    cases = [  # (file text, expected "LINE: key" fragment)
        ('socket = "inet:99999@127.0.0.1"\n', ":1: socket: port must be 1..65535"),
        ('# comment\n\n[dns]\ntimeout_ms = 0\n', ":4: dns.timeout_ms: must be 1..60000"),
        ('authserv_id = "bad id"\n', ":1: authserv_id: must be a host name"),
        ('internal_networks = ["10.0.0.0/8", "10.1.2.3/33"]\n', ":1: internal_networks: prefix length"),
        ('failure_action = "drop"\n', ":1: failure_action: must be one of accept | tempfail"),
        ('[score.weights]\n"dkim=great" = 1\n', ':2: score.weights.dkim=great: expected dkim='),
        ('\n[dmarc]\nenforcement = true\n', ":3: dmarc.enforcement: must be one of off | on"),
        ('sockett = "inet:1@127.0.0.1"\n', ":1: sockett: unknown key"),
        ('user = "no-such-user-kenin"\n', ":1: user: no such user"),
        ('[dns]\nzone = ["/nonexistent/zone"]\n', ":2: dns.zone: cannot read /nonexistent/zone"),
        ('log = "stderr"\nlog = "syslog"\n', ":2: TOML syntax error"),
    ]
    for number, (text, expected) in enumerate(cases, 1):
        path = env.config(f"bad{number}.toml", text)
        for mode in (["--check"], ["-f"]):
            result = subprocess.run([env.args.kenind, "-c", path] + mode, capture_output=True, text=True, timeout=20)
            env.tally.check(result.returncode == 2 and f"bad{number}.toml{expected}" in result.stderr,
                            f"config error {number} {mode[0]}: exit 2, names '{expected}'",
                            f"exit {result.returncode}: {result.stderr}")
    good = env.config("good.toml", 'authserv_id = "mx.example.net"\n[dns]\ntimeout_ms = 500\n')
    result = subprocess.run([env.args.kenind, "-c", good, "--check"], capture_output=True, text=True, timeout=20)
    env.tally.check(result.returncode == 0 and "configuration OK" in result.stdout, "good config: --check exit 0",
                    f"exit {result.returncode}: {result.stdout}{result.stderr}")
    result = subprocess.run([env.args.kenind, "-c", good, "--socket", "tcp:25", "--check"],
                            capture_output=True, text=True, timeout=20)
    env.tally.check(result.returncode == 2 and "--socket: " in result.stderr, "bad --socket: exit 2 naming the flag",
                    f"exit {result.returncode}: {result.stderr}")


def reload(env):
    config = env.config("reload.toml", 'authserv_id = "first.test"\n')
    kenind, socket_spec, started = env.start(config)
    try:
        env.tally.check(started, "reload: kenind starts", kenind.log())
        code, output = env.script("lifecycle_check.lua", socket_spec, authserv="first.test")
        env.tally.check(code == 0, "reload: header carries the configured authserv-id", output)
        script = env.background_script("lifecycle_inflight.lua", socket_spec, authserv="first.test",
                                       new_authserv="second.test", pause="3")
        time.sleep(1.0)  # the message has begun (it takes milliseconds); the script is pausing
        env.config("reload.toml", 'authserv_id = "second.test"\n')
        kenind.process.send_signal(signal.SIGHUP)
        env.tally.check(kenind.wait_for("configuration reloaded; authserv-id second.test"),
                        "reload: SIGHUP reloads", kenind.log())
        output, _ = script.communicate(timeout=60)
        env.tally.check(script.returncode == 0, "reload: message in flight keeps the old id, the next gets the new",
                        output)
        env.config("reload.toml", 'authserv_id = "third.test"\n[dns]\nattempts = 0\n')
        kenind.process.send_signal(signal.SIGHUP)
        env.tally.check(kenind.wait_for("reload failed, keeping the running configuration"),
                        "reload: a broken file is reported", kenind.log())
        code, output = env.script("lifecycle_check.lua", socket_spec, authserv="second.test")
        env.tally.check(code == 0, "reload: a broken file keeps the running configuration", output)
        for _ in range(5):
            kenind.process.send_signal(signal.SIGHUP)
            time.sleep(0.01)
        time.sleep(0.5)
        code, output = env.script("lifecycle_check.lua", socket_spec, authserv="second.test")
        env.tally.check(kenind.process.poll() is None and code == 0, "reload: five quick SIGHUPs never stop it",
                        output + kenind.log())
    finally:
        env.tally.check(kenind.stop() == 0, "reload: exits 0 on SIGTERM", kenind.log())


def negotiation_refused(socket_spec):
    """True when a new milter connection gets no option negotiation: refused at connect, or
    closed after the MTA's SMFIC_OPTNEG (version 6, all actions, all steps)."""
    port = int(socket_spec.split(":")[1].split("@")[0])
    payload = struct.pack("!III", 6, 0x1FF, 0x1FFFFF)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2) as milter:
            milter.sendall(struct.pack("!I", len(payload) + 1) + b"O" + payload)
            return milter.recv(64) == b""
    except OSError:
        return True


def drain(env):
    config = env.config("drain.toml", "drain_seconds = 20\n")
    kenind, socket_spec, started = env.start(config, ["--authserv-id", AUTHSERV_ID])
    env.tally.check(started, "drain: kenind starts", kenind.log())
    script = env.background_script("lifecycle_drain.lua", socket_spec, pause="3")
    time.sleep(1.0)  # the message has begun; the script is pausing
    kenind.process.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    env.tally.check(negotiation_refused(socket_spec), "drain: new connections refused after SIGTERM")
    env.tally.check(kenind.process.poll() is None, "drain: waits for the open connection", kenind.log())
    output, _ = script.communicate(timeout=60)
    env.tally.check(script.returncode == 0, "drain: the open message is verified and answered", output)
    env.tally.check(kenind.stop(timeout=10) == 0, "drain: exits 0 once it is done", kenind.log())
    env.tally.check(any("queue=DR1 " in line for line in kenind.lines), "drain: the message is logged", kenind.log())


def second_stop_signal(env):
    kenind, socket_spec, started = env.start(env.config("drain2.toml", "drain_seconds = 60\n"),
                                             ["--authserv-id", AUTHSERV_ID])
    env.tally.check(started, "second signal: kenind starts", kenind.log())
    script = env.background_script("lifecycle_drain.lua", socket_spec, pause="8")
    time.sleep(1.0)
    kenind.process.send_signal(signal.SIGTERM)
    time.sleep(0.3)
    kenind.process.send_signal(signal.SIGTERM)
    begun = time.monotonic()
    code = kenind.stop(timeout=10)
    env.tally.check(code == 0 and time.monotonic() - begun < 3, "second signal: stops at once, exit 0",
                    f"exit {code} after {time.monotonic() - begun:.1f}s\n{kenind.log()}")
    env.tally.check(any("second stop signal" in line for line in kenind.lines), "second signal: logged",
                    kenind.log())
    script.kill()
    script.communicate()


def unix_socket_and_pid_file(env):
    path = os.path.join(env.data, "kenind.sock")
    pid_file = os.path.join(env.data, "kenind.pid")
    config = env.config("unix.toml", f'socket_mode = "0600"\npid_file = "{pid_file}"\n')
    kenind, socket_spec, started = env.start(config, ["--authserv-id", AUTHSERV_ID], f"unix:{path}")
    try:
        env.tally.check(started, "unix: kenind starts", kenind.log())
        mode = os.stat(path).st_mode
        env.tally.check(stat.S_ISSOCK(mode) and stat.S_IMODE(mode) == 0o600, "unix: socket with socket_mode 0600",
                        oct(mode))
        with open(pid_file) as pid:
            env.tally.check(int(pid.read()) == kenind.process.pid, "unix: pid file holds the pid")
        code, output = env.script("lifecycle_check.lua", socket_spec)
        env.tally.check(code == 0, "unix: a message over the unix socket", output)
    finally:
        env.tally.check(kenind.stop() == 0, "unix: exits 0", kenind.log())
    env.tally.check(not os.path.exists(pid_file), "unix: pid file removed at exit")


def background(command, directory):
    """Runs kenind without -f. The daemon keeps stderr (log = "stderr"), so it goes to a file:
    a pipe would stay open as long as the daemon runs."""
    with tempfile.TemporaryFile("w+", dir=directory) as errors:
        result = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=errors, text=True, timeout=30)
        errors.seek(0)
        result.stderr = errors.read()
    return result


def daemon_mode(env):
    pid_file = os.path.join(env.data, "daemon.pid")
    config = env.config("daemon.toml", f'pid_file = "{pid_file}"\nlog = "stderr"\nmetrics = "off"\n')
    socket_spec = f"inet:{free_port()}@127.0.0.1"
    started = time.monotonic()
    result = background([env.args.kenind, "-c", config, "--socket", socket_spec, "--zone", env.zone,
                         "--authserv-id", AUTHSERV_ID], env.data)
    env.tally.check(result.returncode == 0 and time.monotonic() - started < 10,
                    "daemon: the parent exits 0 once the child listens", result.stderr)
    try:
        with open(pid_file) as pid:
            child = int(pid.read())
    except (OSError, ValueError):
        env.tally.check(False, "daemon: pid file written")
        return
    code, output = env.script("lifecycle_check.lua", socket_spec)
    env.tally.check(code == 0, "daemon: serves in the background", output)
    os.kill(child, signal.SIGTERM)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and os.path.exists(f"/proc/{child}"):
        time.sleep(0.05)
    env.tally.check(not os.path.exists(pid_file), "daemon: stops on SIGTERM and removes the pid file")
    # A busy port: the child cannot listen and the parent says so (exit 1).
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        spec = f"inet:{busy.getsockname()[1]}@127.0.0.1"
        result = background([env.args.kenind, "-c", config, "--socket", spec, "--zone", env.zone], env.data)
        env.tally.check(result.returncode == 1 and "cannot listen" in result.stderr,
                        "daemon: a busy port fails the start with exit 1", f"{result.returncode}: {result.stderr}")
        result = subprocess.run([env.args.kenind, "-f", "-c", config, "--socket", spec, "--zone", env.zone],
                                capture_output=True, text=True, timeout=30)
        env.tally.check(result.returncode == 1 and "cannot listen" in result.stderr,
                        "foreground: a busy port fails the start with exit 1", f"{result.returncode}: {result.stderr}")


def drop_privileges(env):
    if os.geteuid() != 0:
        print("SKIP privileges: not root")
        return
    try:
        nobody = pwd.getpwnam("nobody")
    except KeyError:
        print("SKIP privileges: no user nobody")
        return
    os.chmod(env.data, 0o755)
    for name in os.listdir(env.data):
        os.chmod(os.path.join(env.data, name), 0o644)
    path = os.path.join(env.data, "nobody.sock")
    config = env.config("nobody.toml", 'user = "nobody"\n')
    os.chmod(config, 0o644)
    kenind, socket_spec, started = env.start(config, ["--authserv-id", AUTHSERV_ID], f"unix:{path}")
    try:
        env.tally.check(started, "privileges: kenind starts", kenind.log())
        with open(f"/proc/{kenind.process.pid}/status") as status:
            uids = next(line for line in status if line.startswith("Uid:")).split()[1:]
        env.tally.check(all(int(uid) == nobody.pw_uid for uid in uids), "privileges: runs as nobody", uids)
        env.tally.check(os.stat(path).st_uid == nobody.pw_uid, "privileges: socket owned by nobody")
        code, output = env.script("lifecycle_check.lua", socket_spec)
        env.tally.check(code == 0, "privileges: serves as nobody", output)
    finally:
        env.tally.check(kenind.stop() == 0, "privileges: exits 0", kenind.log())


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--kenind", required=True)
    parser.add_argument("--kenin", required=True)
    parser.add_argument("--miltertest", required=True)
    args = parser.parse_args()
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="kenind-life-") as data:
        make_data(args.kenin, data)
        env = Env(args, data, tally)
        for case in (config_errors, reload, drain, second_stop_signal, unix_socket_and_pid_file, daemon_mode,
                     drop_privileges):
            case(env)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
