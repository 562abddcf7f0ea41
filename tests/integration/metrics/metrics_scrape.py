#!/usr/bin/env python3
"""kenind's /metrics against the traffic it was sent (issue 6, criterion 1).

Starts the real kenind with its metrics endpoint on a free port, checks that every SPEC §7
family is there before any mail (every series at 0, kenin_build_info 1), sends traffic.lua's
mix twice through the real miltertest (signatures that pass, fail and are permerror, unsigned
mail, DMARC reject and quarantine, an aborted transaction), scrapes again and checks that each
counter moved by exactly what was sent: every series of the message, DKIM, SPF and DMARC
families (those not sent to stay at 0), the latency histogram's count, no internal error.
The DNS families must agree with each other (upstream queries = misses - coalesced -
rejected). Then two raw milter connections are held open and kenin_milter_connections_active
must read 2, and 0 once they are closed. No label value may carry a domain name. A SIGHUP
keeps every counter (one registry for the process); a refused reload counts
kenin_errors_total{stage="reload"}. Last, the start: a busy metrics port stops it with an
error naming the key, and `--metrics off` opens no port.
Prints one PASS/FAIL line per check and "N passed, M failed".
"""
import os
import signal
import socket
import subprocess
import sys
import tempfile

from metricsenv import (AUTHSERV_ID, CONFIG, SPEC_FAMILIES, Kenind, MilterConnection, Tally,
                        expected_counts, family_samples, free_port, make_metrics_data, parse_args,
                        scrape, send_traffic, start_kenind, wait_until)

ROUNDS = 2
COUNTED = ("kenin_messages_total", "kenin_dkim_signatures_total", "kenin_spf_results_total",
           "kenin_dmarc_results_total", "kenin_arc_results_total")


def check_families(tally, samples, types):
    for family in SPEC_FAMILIES:
        tally.check(family in types, f"family {family} exported", sorted(types))
    build = family_samples(samples, "kenin_build_info")
    tally.check(len(build) == 1 and list(build.values()) == [1.0] and
                any(name == "version" and value for name, value in next(iter(build))),
                "kenin_build_info is 1 with a version", build)


def check_before_traffic(tally, samples):
    moved = {key: value for key, value in samples.items()
             if key[0] in COUNTED + ("kenin_errors_total",) and value != 0}
    tally.check(not moved, "before any mail every message, verdict and error series is 0", moved)
    tally.check(len(family_samples(samples, "kenin_dkim_signatures_total")) == 7 * 4,
                "all 28 DKIM result x algorithm series exist at start")
    tally.check(len(family_samples(samples, "kenin_dmarc_results_total")) == 5 * 3,
                "all 15 DMARC result x disposition series exist at start")
    tally.check(len(family_samples(samples, "kenin_arc_results_total")) == 3,
                "all 3 ARC result series exist at start (issue 9)")
    tally.check(len(family_samples(samples, "kenin_dns_queries_total")) == 5 * 6,
                "all 30 DNS type x rcode series exist at start")


def check_counters(tally, before, after, sent):
    expected = expected_counts(sent)
    for family in COUNTED:
        for labels, value in sorted(family_samples(after, family).items()):
            delta = value - before.get((family, labels), 0.0)
            want = expected.get((family, labels), 0)
            tally.check(delta == want, f"{family}{dict(labels)} moved by {want}", f"moved by {delta}")
    unknown = [key for key in expected if key not in after]
    tally.check(not unknown, "every expected series exists", unknown)
    messages = sum(sent.values())
    count = after[("kenin_message_duration_seconds_count", ())] - \
        before.get(("kenin_message_duration_seconds_count", ()), 0.0)
    tally.check(count == messages, f"kenin_message_duration_seconds_count moved by {messages}",
                f"moved by {count}")
    inf = after[("kenin_message_duration_seconds_bucket", (("le", "+Inf"),))]
    tally.check(inf == after[("kenin_message_duration_seconds_count", ())],
                "the +Inf bucket equals the count")
    errors = {labels: value for labels, value in family_samples(after, "kenin_errors_total").items()
              if value}
    tally.check(not errors, "no internal error counted", errors)


def dns_totals(samples):
    def total(family):
        return sum(family_samples(samples, family).values())

    return {name: total(f"kenin_{name}") for name in (
        "dns_queries_total", "dns_cache_misses_total", "dns_cache_coalesced_total",
        "dns_lookups_rejected_total", "dns_cache_hits_total")}


def check_dns(tally, port):
    # An aborted message's SPF evaluation may still be asking when the last answer is out:
    # the counters are compared once no lookup is in flight.
    def settled():
        t = dns_totals(scrape(port)[0])
        return t["dns_queries_total"] == (t["dns_cache_misses_total"] -
                                          t["dns_cache_coalesced_total"] -
                                          t["dns_lookups_rejected_total"])

    tally.check(wait_until(settled), "DNS: upstream queries = misses - coalesced - rejected",
                dns_totals(scrape(port)[0]))
    samples = scrape(port)[0]
    totals = dns_totals(samples)
    queries = totals["dns_queries_total"]
    tally.check(queries > 0 and totals["dns_cache_hits_total"] > 0,
                "DNS: the zone was asked and the cache hit", totals)
    tally.check(samples[("kenin_dns_query_duration_seconds_count", ())] == queries,
                "DNS: one latency observation per upstream query")
    by_type = family_samples(samples, "kenin_dns_queries_total")
    tally.check(sum(v for labels, v in by_type.items() if ("type", "TXT") in labels) > 0,
                "DNS: TXT queries counted by type")
    tally.check(samples[("kenin_dns_cache_entries", ())] > 0, "DNS: cache entries reported")


def check_bounded_labels(tally, samples):
    leaks = [key for key in samples if key[0].startswith("kenin_") and
             any("example" in value for _, value in key[1])]
    tally.check(not leaks, "no label value carries a domain name", leaks)


def check_connections(tally, socket_spec, port):
    def active():
        return scrape(port)[0].get(("kenin_milter_connections_active", ()))

    held = [MilterConnection(socket_spec), MilterConnection(socket_spec)]
    tally.check(wait_until(lambda: active() == 2.0), "two open connections read 2",
                f"read {active()}")
    for connection in held:
        connection.close()
    tally.check(wait_until(lambda: active() == 0.0), "closed connections read 0",
                f"read {active()}")


def check_reload(tally, kenind, data, port):
    before = scrape(port)[0]
    kenind.process.send_signal(signal.SIGHUP)
    tally.check(kenind.wait_for("configuration reloaded"), "SIGHUP reloads", kenind.log())
    after = scrape(port)[0]
    kept = family_samples(after, "kenin_messages_total") == \
        family_samples(before, "kenin_messages_total")
    tally.check(kept and sum(family_samples(after, "kenin_messages_total").values()) > 0,
                "a reload keeps the counters", f"{before} -> {after}")
    with open(os.path.join(data, "metrics.toml"), "a") as config:
        config.write("\nno_such_key = 1\n")
    kenind.process.send_signal(signal.SIGHUP)
    tally.check(kenind.wait_for("reload failed"), "a broken file is refused", kenind.log())
    errors = {dict(labels)["stage"]: value
              for labels, value in family_samples(scrape(port)[0], "kenin_errors_total").items()
              if value}
    tally.check(errors == {"reload": 1.0}, 'the refused reload counts kenin_errors_total{stage="reload"}',
                errors)


def check_start(tally, kenind_binary, data):
    zone = os.path.join(data, "test.zone")
    config = os.path.join(data, "empty.toml")  # not /etc/kenin/kenind.toml, whatever it holds
    open(config, "w").close()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        address = f"127.0.0.1:{busy.getsockname()[1]}"
        result = subprocess.run([kenind_binary, "-f", "-c", config,
                                 "--socket", f"inet:{free_port()}@127.0.0.1",
                                 "--zone", zone, "--metrics", address],
                                capture_output=True, text=True, timeout=30)
    tally.check(result.returncode == 1 and f"metrics: cannot listen on {address}" in result.stderr,
                "a busy metrics port stops the start (exit 1), naming the key",
                f"exit {result.returncode}: {result.stderr}")
    kenind = Kenind(kenind_binary, ["-c", config, "--socket", f"inet:{free_port()}@127.0.0.1",
                                    "--zone", zone,
                                    "--authserv-id", AUTHSERV_ID, "--metrics", "off"])
    started = kenind.wait_for("listening on")
    log = kenind.log()
    tally.check(kenind.stop() == 0 and started and "metrics on" not in log,
                "--metrics off: kenind serves mail and opens no metrics port", log)


def main():
    args = parse_args()
    tally = Tally()
    with tempfile.TemporaryDirectory(prefix="kenin-metrics-") as data:
        make_metrics_data(args.kenin, data)
        kenind, socket_spec, port = start_kenind(args.kenind, data, CONFIG)
        try:
            if not tally.check(port is not None, "kenind starts with metrics", kenind.log()):
                return tally.finish()
            before, types = scrape(port)
            check_families(tally, before, types)
            check_before_traffic(tally, before)
            code, output, sent = send_traffic(args.miltertest, socket_spec, data, ROUNDS, "MS")
            tally.check(code == 0 and sum(sent.values()) == ROUNDS * 7,
                        f"miltertest sent {ROUNDS} rounds of 7 messages", output)
            # The connections close after the last answer: wait for kenind to see it.
            tally.check(wait_until(lambda: scrape(port)[0].get(
                ("kenin_milter_connections_active", ())) == 0.0),
                "miltertest's connections are closed")
            after, _ = scrape(port)
            check_counters(tally, before, after, sent)
            check_dns(tally, port)
            check_bounded_labels(tally, after)
            check_connections(tally, socket_spec, port)
            check_reload(tally, kenind, data, port)
        finally:
            exit_code = kenind.stop()
        tally.check(exit_code == 0, "kenind exits 0 on SIGTERM", kenind.log())
        check_start(tally, args.kenind, data)
    return tally.finish()


if __name__ == "__main__":
    sys.exit(main())
