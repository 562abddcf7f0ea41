"""What the Grafana dashboard asks Prometheus: every PromQL expression of every panel target
and template variable, with Grafana's variables replaced the way Grafana would for a short
time range and "All" instances, and the metric names each expression reads.
Shared by dashboard_lint.py (static) and tests/integration/metrics/prometheus_dashboard.py
(live, against a real Prometheus)."""
import json
import os
import re

ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
DASHBOARD = os.path.join(ROOT, "dashboards", "kenin-grafana.json")
RECORDING_RULES = os.path.join(ROOT, "dashboards", "kenin-recording.rules.yml")
ALERT_RULES = os.path.join(ROOT, "dashboards", "kenin-alerts.rules.yml")

# Grafana's built-in variables, for a dashboard range of one minute.
BUILTINS = {"__rate_interval": "1m", "__interval": "15s", "__range": "1m"}
KEYWORDS = {"by", "without", "and", "or", "unless", "offset", "bool", "on", "ignoring",
            "group_left", "group_right", "inf", "nan"}


def load(path=DASHBOARD):
    with open(path) as f:
        return json.load(f)


def all_panels(dashboard):
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", [])  # collapsed rows keep their panels inside


def queries(dashboard):
    """[(where, raw expression)] for every panel target and query variable."""
    out = []
    for panel in all_panels(dashboard):
        for target in panel.get("targets", []):
            if target.get("expr"):
                out.append((f"panel '{panel.get('title')}' {target.get('refId')}", target["expr"]))
    for variable in dashboard.get("templating", {}).get("list", []):
        if variable.get("type") == "query":
            query = variable["query"]
            out.append((f"variable ${variable['name']}",
                        query["query"] if isinstance(query, dict) else query))
    return out


def substitute(expr, dashboard):
    """The expression as Grafana sends it: $__rate_interval and friends, and each template
    variable at its "All" value."""
    values = dict(BUILTINS)
    for variable in dashboard.get("templating", {}).get("list", []):
        if variable.get("allValue"):
            values[variable["name"]] = variable["allValue"]

    def replace(match):
        name = match.group(1) or match.group(2)
        if name not in values:
            raise KeyError(f"unknown Grafana variable ${name} in {expr}")
        return values[name]

    return re.sub(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)", replace, expr)


def label_values_query(expr):
    """label_values(METRIC, LABEL) (a Grafana variable query) as PromQL returning the values;
    None for an ordinary expression."""
    match = re.fullmatch(r"\s*label_values\(\s*([^,]+?)\s*,\s*(\w+)\s*\)\s*", expr)
    return f"group by ({match.group(2)}) ({match.group(1)})" if match else None


def metric_names(expr):
    """The metric names an expression reads (label names, functions and keywords left out)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', "", expr)                # strings
    text = re.sub(r"\{[^}]*\}", "", text)                        # label matchers
    text = re.sub(r"\[[^\]]*\]", "", text)                       # ranges
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", text)
    names = set()
    for match in re.finditer(r"[a-zA-Z_:][a-zA-Z0-9_:]*", text):
        token = match.group(0)
        following = text[match.end():].lstrip()
        if following.startswith("(") or token.lower() in KEYWORDS:
            continue
        names.add(token)
    return names


def recording_rule_names(path=RECORDING_RULES):
    with open(path) as f:
        return set(re.findall(r"^\s*- record:\s*(\S+)\s*$", f.read(), re.MULTILINE))
