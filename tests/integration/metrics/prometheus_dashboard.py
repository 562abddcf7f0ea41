#!/usr/bin/env python3
"""The dashboard and the rules against a real Prometheus (issue 6, criterion 2).

Starts kenind (metrics on a free port, a small cache that keeps missing and evicting, so every
DNS family moves) and Debian's `prometheus` on loopback (a temporary directory, a free port,
scrape and rule evaluation every second, the recording and alert rules of dashboards/
loaded), sends traffic.lua's mix in three bursts through the real miltertest, waits until
Prometheus has scraped all of it, and then:
  - evaluates every PromQL expression of dashboards/kenin-grafana.json (Grafana's variables
    replaced as for a one-minute range and all instances; label_values() variable queries as
    "group by") through /api/v1/query: each must return at least one series, with a number;
  - checks through /api/v1/rules that every rule was evaluated without error, and queries
    each recording rule: each must have data.
Exits 77 (skipped) only when prometheus is not installed. Prints one PASS/FAIL line per check
and "N passed, M failed".
"""
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request

from metricsenv import (CHURNING_CACHE, CONFIG, Tally, free_port, make_metrics_data, parse_args,
                        scrape, send_traffic, start_kenind, wait_until)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                                "dashboards"))
import dashboard_queries as dq  # noqa: E402

SKIP = 77
BURSTS = 3


class Prometheus:
    """prometheus on 127.0.0.1 with its own config and storage in `directory`."""

    def __init__(self, binary, directory, kenind_port):
        self.port = free_port()
        config = os.path.join(directory, "prometheus.yml")
        with open(config, "w") as out:
            out.write(f"""global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
  - {dq.RECORDING_RULES}
  - {dq.ALERT_RULES}
scrape_configs:
  - job_name: kenind
    static_configs:
      - targets: ["127.0.0.1:{kenind_port}"]
""")
        self.log_path = os.path.join(directory, "prometheus.log")
        with open(self.log_path, "w") as log:
            self.process = subprocess.Popen(
                [binary, f"--config.file={config}",
                 f"--storage.tsdb.path={os.path.join(directory, 'tsdb')}",
                 f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"],
                stdout=log, stderr=subprocess.STDOUT, cwd=directory)

    def get(self, path, **params):
        url = f"http://127.0.0.1:{self.port}{path}"
        if params:
            url += "?" + urllib.parse.urlencode(params)
        with urllib.request.urlopen(url, timeout=10) as reply:
            return json.loads(reply.read().decode())

    def ready(self):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/-/ready", timeout=2) as r:
                return r.status == 200
        except OSError:
            return False

    def query(self, expr):
        """The result list of an instant query; raises on an error reply."""
        try:
            reply = self.get("/api/v1/query", query=expr)
        except urllib.error.HTTPError as e:
            raise RuntimeError(e.read().decode()) from e
        if reply.get("status") != "success":
            raise RuntimeError(str(reply))
        return reply["data"]["result"]

    def scalar_sum(self, expr):
        result = self.query(expr)
        return float(result[0]["value"][1]) if result else None

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def log(self):
        with open(self.log_path) as f:
            return f.read()[-3000:]


def numbers(result):
    return [float(series["value"][1]) for series in result]


def check_dashboard(tally, prometheus):
    dashboard = dq.load()
    for where, expr in dq.queries(dashboard):
        text = dq.substitute(expr, dashboard)
        text = dq.label_values_query(text) or text
        try:
            result = prometheus.query(text)
        except RuntimeError as e:
            tally.check(False, f"{where}: evaluates", f"{text}: {e}")
            continue
        values = numbers(result)
        tally.check(result and any(math.isfinite(v) for v in values),
                    f"{where}: returns data", f"{text} -> {result}",
                    note=f"{len(result)} series")


def check_rules(tally, prometheus):
    groups = prometheus.get("/api/v1/rules")["data"]["groups"]
    rules = [rule for group in groups for rule in group["rules"]]
    tally.check(len(rules) == 15, "Prometheus loaded the 9 recording and 6 alert rules",
                [r["name"] for r in rules])
    for rule in rules:
        tally.check(rule.get("health") == "ok", f"rule {rule['name']}: evaluated without error",
                    rule.get("lastError"))
        if rule["type"] == "recording":
            result = prometheus.query(rule["name"])
            tally.check(result and all(math.isfinite(v) for v in numbers(result)),
                        f"recording rule {rule['name']}: has data", result)


def run(args, tally, data):
    make_metrics_data(args.kenin, data)
    kenind, socket_spec, port = start_kenind(args.kenind, data, CONFIG + CHURNING_CACHE)
    prometheus = None
    try:
        if not tally.check(port is not None, "kenind starts with metrics", kenind.log()):
            return
        prometheus = Prometheus(args.prometheus, data, port)
        if not tally.check(wait_until(prometheus.ready, 30), "prometheus starts", prometheus.log()):
            return
        tally.check(wait_until(lambda: prometheus.query('up{job="kenind"} == 1'), 20),
                    "prometheus scrapes kenind", prometheus.log())
        for burst in range(BURSTS):
            code, output, sent = send_traffic(args.miltertest, socket_spec, data, 2, f"PB{burst}")
            tally.check(code == 0 and sum(sent.values()) == 14, f"traffic burst {burst + 1}", output)
            time.sleep(1.5)  # a rate() needs the counters to move between scrapes
        messages = sum(v for (name, _), v in scrape(port)[0].items()
                       if name == "kenin_messages_total")
        tally.check(wait_until(lambda: prometheus.scalar_sum(
            'sum(kenin_messages_total{job="kenind"})') == messages, 15),
            f"prometheus has scraped all {messages:.0f} messages", prometheus.log())
        # One more evaluation round, so the recording rules see the last scrape too.
        time.sleep(2)
        check_dashboard(tally, prometheus)
        check_rules(tally, prometheus)
    finally:
        if prometheus:
            prometheus.stop()
        tally.check(kenind.stop() == 0, "kenind exits 0 on SIGTERM", kenind.log())


def main():
    args = parse_args(prometheus=True)
    args.prometheus = args.prometheus or shutil.which("prometheus") or ""
    if not args.prometheus or not os.access(args.prometheus, os.X_OK):
        print("SKIP: prometheus is not installed (apt-get install prometheus)")
        return SKIP
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="kenin-prometheus-") as data:
        run(args, tally, data)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
