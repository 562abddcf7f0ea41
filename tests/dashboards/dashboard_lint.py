#!/usr/bin/env python3
"""Static checks of dashboards/kenin-grafana.json (SPEC §7): it is JSON Grafana can import
(a ${DS_PROMETHEUS} input, a data source variable every panel uses, unique panel ids, rows
on the grid), and every query reads only SPEC §7 metric names or recording rules that
dashboards/kenin-recording.rules.yml defines. tests/integration/metrics/prometheus_dashboard.py
then runs every query against a real Prometheus.
Prints one PASS/FAIL line per check and "N passed, M failed"."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))
from dnstest import Tally  # noqa: E402

import dashboard_queries as dq  # noqa: E402

SPEC_NAMES = {
    "kenin_messages_total", "kenin_dkim_signatures_total", "kenin_spf_results_total",
    "kenin_dmarc_results_total", "kenin_dns_queries_total", "kenin_dns_cache_hits_total",
    "kenin_dns_cache_misses_total", "kenin_dns_cache_entries", "kenin_dns_cache_evictions_total",
    "kenin_milter_connections_active", "kenin_errors_total", "kenin_build_info",
    # Not in SPEC §7: issue 9 (ARC) adds this family and its panel.
    "kenin_arc_results_total"}
SPEC_HISTOGRAMS = {"kenin_message_duration_seconds", "kenin_dns_query_duration_seconds"}
ALLOWED = SPEC_NAMES | {h + suffix for h in SPEC_HISTOGRAMS for suffix in ("_bucket", "_sum", "_count")}


def main():
    tally = Tally()
    dashboard = dq.load()
    inputs = [i["name"] for i in dashboard.get("__inputs", []) if i.get("pluginId") == "prometheus"]
    tally.check(inputs == ["DS_PROMETHEUS"], "import asks for one Prometheus data source", inputs)
    variables = {v["name"]: v for v in dashboard["templating"]["list"]}
    source = variables.get("datasource", {})
    tally.check(source.get("type") == "datasource" and source.get("query") == "prometheus" and
                source.get("current", {}).get("value") == "${DS_PROMETHEUS}",
                "a data source variable, set to the imported source", source)
    wrong = [p.get("title") for p in dq.all_panels(dashboard) if p.get("type") != "row" and
             p.get("datasource", {}).get("uid") != "${datasource}"]
    wrong += [f"{p.get('title')} {t.get('refId')}" for p in dq.all_panels(dashboard)
              for t in p.get("targets", []) if t.get("datasource", {}).get("uid") != "${datasource}"]
    tally.check(not wrong, "every panel and target reads the data source variable", wrong)
    ids = [p["id"] for p in dq.all_panels(dashboard)]
    tally.check(len(ids) == len(set(ids)), "panel ids are unique", ids)
    off_grid = [p.get("title") for p in dq.all_panels(dashboard)
                if p["gridPos"]["x"] + p["gridPos"]["w"] > 24]
    tally.check(not off_grid, "panels fit the 24-column grid", off_grid)
    rows = [p["title"] for p in dashboard["panels"] if p["type"] == "row"]
    for wanted in ("Verdicts over time", "Pass ratio per mechanism", "DMARC dispositions",
                   "Message latency", "DNS and cache", "Errors and connections"):
        tally.check(wanted in rows, f"row '{wanted}'", rows)

    allowed = ALLOWED | dq.recording_rule_names()
    queries = dq.queries(dashboard)
    tally.check(len(queries) >= 20, f"{len(queries)} queries found")
    for where, expr in queries:
        text = dq.substitute(expr, dashboard)
        text = dq.label_values_query(text) or text
        names = dq.metric_names(text)
        unknown = names - allowed
        tally.check(names and not unknown, f"{where}: reads only SPEC §7 names",
                    f"unknown {sorted(unknown)} in {text}")
    used = set().union(*(dq.metric_names(dq.label_values_query(dq.substitute(e, dashboard)) or
                                         dq.substitute(e, dashboard)) for _, e in queries))
    for family in sorted(SPEC_NAMES | SPEC_HISTOGRAMS):
        tally.check(any(name == family or name.startswith(family + "_") for name in used),
                    f"some panel shows {family}")
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
