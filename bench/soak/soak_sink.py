"""The soak's next hop: tests/e2e's capture server (mta.CaptureSink: an SMTP server Postfix
relays to) keeping counts and checks in memory instead of files, 100,000 messages being too
many to store.

For each message it reads the recipient <sNNNNNN@...> (the copy's number), counts it, and
reads kenind's Authentication-Results: there must be exactly one field with our authserv-id
(forged ones deleted, RFC 8601 §5), and its dkim, spf and dmarc results must be what the copy
expects. A result header is the same for every copy of a template, so each distinct field is
parsed once (python3-authres, tests/e2e/messages.py).
"""
import re
import threading
import time

import load_corpus  # bench/load: the authserv-id kenind is started with
import messages  # tests/e2e: header fields, Authentication-Results parsing
import mta  # tests/e2e: the capture server

COPY = re.compile(r"<s(\d+)@")
MAX_EXAMPLES = 20  # problems kept verbatim; all are counted


class CountingSink(mta.CaptureSink):
    """`expect(seq)` gives what copy `seq` must carry ({"dkim": [...], "spf", "dmarc"})."""

    def __init__(self, directory, total, expect):
        super().__init__(directory)  # the directory stays empty
        self.expect = expect
        self.copies = bytearray(total)   # deliveries per copy, saturating at 255
        self.delivered = 0               # copies seen at least once
        self.problems = {}               # kind -> count
        self.examples = []
        self.parsed = {}                 # raw A-R field -> {method: sorted results} or error
        self.changed = threading.Condition(self.lock)

    def store(self, data, envelope):
        seqs = [int(m[1]) for m in map(COPY.match, envelope["rcpt"]) if m]
        found = self.results_of(data)
        with self.changed:
            self.count += 1
            if not seqs or len(seqs) != len(envelope["rcpt"]):
                self.problem("stray", f"recipients {envelope['rcpt']} from {envelope['mail']}")
            for seq in seqs:
                if seq >= len(self.copies):
                    self.problem("stray", f"copy {seq} beyond the run")
                    continue
                if self.copies[seq] == 0:
                    self.delivered += 1
                else:
                    self.problem("duplicate", f"copy {seq} delivered again")
                self.copies[seq] = min(255, self.copies[seq] + 1)
                want = self.expect(seq)
                if found != want:
                    self.problem(f"verdict {want.get('case')}", f"copy {seq}: got {found}, "
                                 f"want {want}")
            self.changed.notify_all()
            return self.count

    def results_of(self, data):
        """{"dkim": sorted results, "spf": ..., "dmarc": ..., "case": ...} from kenind's field, or
        {"error": ...} when there is not exactly one or it does not parse."""
        head = data.split(b"\r\n\r\n", 1)[0]
        ours = [raw for name, raw in messages.split_fields(head)
                if name == "authentication-results"
                and messages.authserv_id_of(raw) == load_corpus.AUTHSERV_ID]
        case = re.search(rb"^Subject: .*?soak (\S+) \d+\r?$", head, re.M | re.I)
        case = case[1].decode() if case else None
        if len(ours) != 1:
            return {"error": f"{len(ours)} Authentication-Results of ours", "case": case}
        with self.lock:
            result = self.parsed.get(ours[0])
        if result is None:
            try:
                by_method = {}
                for method, value, _ in messages.parse_ar(ours[0])[1]:
                    by_method.setdefault(method, []).append(value)
                result = {"dkim": sorted(by_method.get("dkim", [])),
                          "spf": ",".join(by_method.get("spf", [])),
                          "dmarc": ",".join(by_method.get("dmarc", []))}
            except Exception as e:  # noqa: BLE001 - an unparseable header is a finding
                result = {"error": f"unparseable: {e!r}: {ours[0][:300]!r}"}
            with self.lock:
                self.parsed[ours[0]] = result
        return {**result, "case": case}

    def problem(self, kind, text):
        """Called with the lock held."""
        self.problems[kind] = self.problems.get(kind, 0) + 1
        if len(self.examples) < MAX_EXAMPLES:
            self.examples.append(f"{kind}: {text}")

    def wait_for(self, count, timeout):
        """True once `count` distinct copies have arrived; False after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self.changed:
            while self.delivered < count:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self.changed.wait(left)
            return True

    def missing(self, total):
        return [seq for seq in range(total) if self.copies[seq] == 0]
