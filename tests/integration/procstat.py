"""A process's figures from /proc/PID/status (proc(5)), for the tests and benchmarks that watch
kenind's memory and threads: tests/integration/raw_milter.py, bench/load, bench/soak."""


def status_values(pid, keys=("VmRSS", "VmHWM")):
    """{key: number} for `keys` of /proc/PID/status; memory figures are in KiB."""
    values = {}
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in keys:
                values[key] = int(rest.split()[0])
    return values
