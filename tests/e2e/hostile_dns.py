#!/usr/bin/python3
"""A nameserver on loopback that misbehaves on demand: the DNS half of kenind's fault injection
(issue 8, tests/e2e/dns_faults_e2e.py).

One UDP and one TCP socket on the same 127.0.0.1 port serve TXT records from a table
{(name, "TXT"): value, or None for NXDOMAIN}; names not in it are NXDOMAIN, both with an SOA so
they can be cached (RFC 2308). Healthy, it answers like slow_dns.py: EDNS0 payload honoured,
TC set when the answer does not fit, the same answer over TCP. The mode can be changed while it
runs, so one kenind is walked through every fault and back to healthy:

  healthy                   answer every query
  garbage                   to every UDP query, five datagrams that are not a usable reply
                            (random octets; a bare header with the right id; the right header and
                            question with an answer running past the end; an answer whose owner
                            name is a compression pointer to itself; a long tail of random
                            records) and never the answer
  truncate tcp=T [delay_ms] UDP: an empty reply with TC set; TCP (RFC 7766): T = ok answers,
                            close reads the query and closes, garbage sends framed random octets,
                            slow answers after delay_ms, trickle sends the length and a few
                            octets of the answer, then nothing
  slow delay_ms=D           every answer (UDP and TCP) D ms late, each on its own timer
  wrong_id [then_real]      first a reply whose id is not the query's, carrying a forged record
                            (a revoked key, "v=spf1 -all", "p=reject"), then, if then_real, the
                            real answer 50 ms later
  wrong_question [then_real] the same with the query's id but another question name
  vanish after=N            answer N more queries, then drop every query (a server that died)
  cname_slow delay_ms=D     answer every name, D ms late, with only a CNAME to a new name
                            below it: a chain that never ends, each link slow

In-process: HostileDns(records).start(); set_mode("slow", delay_ms=300); stats(); stop().
As a program (`hostile_dns.py --records FILE.json --port P`, the file a list of
[name, type, value]) the mode is set by a control query of class CH, type TXT:
<mode>[.<param>-<value>]*.control.hostile. (e.g. truncate.tcp-slow.delay_ms-900.control.hostile.),
answered "ok"; queries are logged to stdout as "Q <mode> <UDP|TCP> <name>".
"""
import argparse
import json
import os
import socket
import socketserver
import struct
import sys
import threading
import time

import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdataclass
import dns.rdatatype
import dns.rrset

MODES = ("healthy", "garbage", "truncate", "slow", "wrong_id", "wrong_question", "vanish",
         "cname_slow")
TCP_MODES = ("ok", "close", "garbage", "slow", "trickle")
SOA_TEXT = "ns.hostile. hostmaster.hostile. 1 3600 600 86400 300"
CONTROL = dns.name.from_text("control.hostile.")


def txt_rdata_text(value):
    """A TXT value as zone-file rdata: strings of at most 255 octets, quoted."""
    parts = [value[i:i + 255] for i in range(0, len(value), 255)] or [""]
    return " ".join('"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in parts)


def forged_value(name):
    """What a spoofer would plant: each would change the verdict if kenind believed it."""
    text = name.to_text().lower()
    if "._domainkey." in text:
        return "v=DKIM1; k=ed25519; p="  # revoked: dkim=permerror
    if text.startswith("_dmarc."):
        return "v=DMARC1; p=reject"
    return "v=spf1 -all"


class Mode:
    def __init__(self, name, **params):
        if name not in MODES:
            raise ValueError(f"unknown mode {name!r}; one of {', '.join(MODES)}")
        self.name = name
        self.tcp = params.pop("tcp", "ok")
        if self.tcp not in TCP_MODES:
            raise ValueError(f"unknown tcp mode {self.tcp!r}; one of {', '.join(TCP_MODES)}")
        self.delay = float(params.pop("delay_ms", 0)) / 1000.0
        self.then_real = str(params.pop("then_real", True)).lower() in ("1", "true", "yes")
        self.after = int(params.pop("after", 0))
        if params:
            raise ValueError(f"unknown parameters {sorted(params)}")
        # What happened under this mode, late events included (guarded by the server's lock).
        self.counts = {}
        self.in_flight = 0
        self.max_in_flight = 0

    def __str__(self):
        return self.name + (f"/tcp={self.tcp}" if self.name == "truncate" else "")


class HostileDns:
    def __init__(self, records, log=None):
        self.lock = threading.Lock()
        self.records = {}
        for (name, rdtype), value in records.items():
            self.publish(name, rdtype, value)
        self.log = log
        self.mode = Mode("healthy")
        self.stopping = threading.Event()
        self.udp, self.tcp = self._bind()
        self.port = self.udp.getsockname()[1]
        self.threads = []

    # --- life cycle ---------------------------------------------------------------------------

    def _bind(self):
        """A UDP and a TCP socket on one free port of 127.0.0.1."""
        for _ in range(20):
            udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            udp.bind(("127.0.0.1", 0))
            tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                tcp.bind(("127.0.0.1", udp.getsockname()[1]))
            except OSError:
                udp.close()
                tcp.close()
                continue
            tcp.listen(64)
            udp.settimeout(0.1)
            tcp.settimeout(0.1)
            return udp, tcp
        raise RuntimeError("no free port for UDP and TCP together")

    def start(self):
        for target in (self._serve_udp, self._serve_tcp):
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self.threads.append(thread)
        return self

    def stop(self):
        self.stopping.set()
        for thread in self.threads:
            thread.join(5)
        self.udp.close()
        self.tcp.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
        return False

    def publish(self, name, rdtype, value):
        """Adds or replaces a record (None: NXDOMAIN), also while serving."""
        key = (dns.name.from_text(name).to_text().lower(), rdtype.upper())
        with self.lock:
            self.records[key] = value

    @property
    def server(self):
        return f"127.0.0.1:{self.port}"

    # --- control ------------------------------------------------------------------------------

    def set_mode(self, name, **params):
        """Switches the behaviour for every query from now on; the counters start again."""
        mode = Mode(name, **params)
        with self.lock:
            self.mode = mode
        return mode

    def stats(self):
        """{counter: value} of the current mode (a late answer counts for the mode its query
        came under): udp, tcp (queries), answered, garbage, truncated, forged, dropped,
        tcp_closed, trickled, late (answers sent after a delay), max_in_flight (delayed queries
        not yet answered at once: how many lookups kenind had out together), names (the question
        names asked, in order)."""
        with self.lock:
            mode = self.mode
            out = {k: (list(v) if isinstance(v, list) else v) for k, v in mode.counts.items()}
            out["max_in_flight"] = mode.max_in_flight
            return out

    def _count(self, mode, key):
        with self.lock:
            mode.counts[key] = mode.counts.get(key, 0) + 1

    def _note_query(self, transport, query):
        name = query.question[0].name.to_text().lower() if query.question else "?"
        with self.lock:
            mode = self.mode
            mode.counts[transport] = mode.counts.get(transport, 0) + 1
            mode.counts.setdefault("names", []).append(name)
        if self.log:
            self.log.write(f"Q {mode} {transport.upper()} {name}\n")
            self.log.flush()
        return mode

    def _flight(self, mode, delta):
        with self.lock:
            mode.in_flight += delta
            mode.max_in_flight = max(mode.max_in_flight, mode.in_flight)

    def _control(self, query):
        """A CH TXT query under control.hostile. sets the mode; returns the reply, or None
        when the query is not a control query."""
        question = query.question[0]
        if question.rdclass != dns.rdataclass.CH or not question.name.is_subdomain(CONTROL):
            return None
        labels = [label.decode() for label in question.name.relativize(CONTROL).labels]
        response = dns.message.make_response(query)
        try:
            params = dict(label.split("-", 1) for label in labels[1:])
            self.set_mode(labels[0], **params)
            text = "ok"
        except (ValueError, IndexError) as error:
            text = f"error: {error}"
            response.set_rcode(dns.rcode.REFUSED)
        response.answer.append(dns.rrset.from_text(question.name, 0, "CH", "TXT",
                                                   txt_rdata_text(text)))
        return response

    # --- answers ------------------------------------------------------------------------------

    def answer(self, query, name=None):
        """The healthy reply to `query` (for `name` instead of its question name, if given)."""
        response = dns.message.make_response(query)
        response.flags |= dns.flags.AA
        question = query.question[0]
        name = name or question.name
        key = (name.to_text().lower(), dns.rdatatype.to_text(question.rdtype))
        with self.lock:
            value = self.records.get(key)
        soa = dns.rrset.from_text(dns.name.root, 300, "IN", "SOA", SOA_TEXT)
        if value is not None:
            response.answer.append(dns.rrset.from_text(
                question.name, 3600, "IN", dns.rdatatype.to_text(question.rdtype),
                txt_rdata_text(value)))
        else:
            response.set_rcode(dns.rcode.NXDOMAIN)
            response.authority.append(soa)
        return response

    def forged(self, query, other_question):
        """A reply a spoofer might send: a forged record, and either a wrong id or (with
        other_question) the right id for another name."""
        question = query.question[0]
        name = dns.name.from_text("forged", question.name) if other_question else question.name
        fake = dns.message.make_query(name, question.rdtype)
        fake.id = query.id if other_question else (query.id + 0x5555) % 0x10000
        response = dns.message.make_response(fake)
        response.flags |= dns.flags.AA
        response.answer.append(dns.rrset.from_text(name, 3600, "IN", "TXT",
                                                    txt_rdata_text(forged_value(question.name))))
        return response.to_wire()

    def cname(self, query):
        question = query.question[0]
        target = dns.name.from_text("c", question.name)
        response = dns.message.make_response(query)
        response.answer.append(dns.rrset.from_text(question.name, 3600, "IN", "CNAME",
                                                   target.to_text()))
        return response.to_wire()

    @staticmethod
    def garbage(query_wire):
        """Datagrams that are not a usable reply to the query, though several look like one."""
        header_id = query_wire[:2]
        question_end = 12
        while question_end < len(query_wire) and query_wire[question_end] != 0:
            question_end += 1 + query_wire[question_end]
        question = query_wire[12:question_end + 5]
        flags_one_answer = struct.pack("!HHHHH", 0x8180, 1, 1, 0, 0)
        return [
            os.urandom(1 + os.urandom(1)[0] % 64),
            header_id + struct.pack("!HHHHH", 0x8180, 1, 0, 0, 0),
            # rdlength 65535: the record runs far past the end of the datagram
            header_id + flags_one_answer + question + struct.pack("!HHHIH", 0xC00C, 16, 1, 60, 0xFFFF)
            + b"\x05hello",
            # the answer's owner is a compression pointer to itself
            header_id + flags_one_answer + question +
            struct.pack("!H", 0xC000 | (12 + len(question))) + struct.pack("!HHIH", 16, 1, 60, 1) + b"\0",
            header_id + struct.pack("!HHHHH", 0x8180, 1, 200, 0, 0) + question + os.urandom(3000),
        ]

    def _udp_limit(self, query):
        return max(query.payload, 512) if query.edns >= 0 else 512

    def _udp_reply(self, query):
        wire = self.answer(query).to_wire(max_size=65535)
        if len(wire) > self._udp_limit(query):
            response = dns.message.make_response(query)
            response.flags |= dns.flags.TC
            wire = response.to_wire()
        return wire

    # --- UDP ----------------------------------------------------------------------------------

    def _serve_udp(self):
        while not self.stopping.is_set():
            try:
                wire, peer = self.udp.recvfrom(65535)
            except socket.timeout:
                continue
            except OSError:
                return
            try:
                query = dns.message.from_wire(wire)
            except Exception:  # noqa: BLE001 - not a query: a real server ignores it too
                continue
            if (control := self._control(query)) is not None:
                self.udp.sendto(control.to_wire(), peer)
                continue
            self._udp_query(query, wire, peer)

    def _send(self, mode, wire, peer, counter="answered"):
        try:
            self.udp.sendto(wire, peer)
            self._count(mode, counter)
        except OSError:
            pass

    def _later(self, delay, action, *args):
        timer = threading.Timer(delay, action, args)
        timer.daemon = True
        timer.start()

    def _udp_query(self, query, wire, peer):
        mode = self._note_query("udp", query)
        name = mode.name
        if name == "vanish":
            with self.lock:
                answer_it = mode.after > 0
                mode.after -= 1
            if not answer_it:
                return self._count(mode, "dropped")
            name = "healthy"
        if name == "healthy":
            return self._send(mode, self._udp_reply(query), peer)
        if name == "garbage":
            for datagram in self.garbage(wire):
                self._send(mode, datagram, peer, "garbage")
            return None
        if name == "truncate":
            response = dns.message.make_response(query)
            response.flags |= dns.flags.TC
            return self._send(mode, response.to_wire(), peer, "truncated")
        if name in ("wrong_id", "wrong_question"):
            self._send(mode, self.forged(query, name == "wrong_question"), peer, "forged")
            if mode.then_real:
                self._later(0.05, self._send, mode, self._udp_reply(query), peer)
            return None
        if name in ("slow", "cname_slow"):
            reply = self._udp_reply(query) if name == "slow" else self.cname(query)
            self._flight(mode, +1)
            return self._later(mode.delay, self._send_late, mode, reply, peer)
        raise AssertionError(name)

    def _send_late(self, mode, wire, peer):
        self._flight(mode, -1)
        self._send(mode, wire, peer, "late")

    # --- TCP ----------------------------------------------------------------------------------

    def _serve_tcp(self):
        while not self.stopping.is_set():
            try:
                conn, _ = self.tcp.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=self._tcp_connection, args=(conn,), daemon=True).start()

    def _tcp_connection(self, conn):
        with conn:
            conn.settimeout(10)
            try:
                size = struct.unpack("!H", self._recv_exactly(conn, 2))[0]
                wire = self._recv_exactly(conn, size)
                query = dns.message.from_wire(wire)
            except (OSError, ValueError, struct.error, dns.exception.DNSException):
                return
            mode = self._note_query("tcp", query)
            if mode.name == "vanish" and mode.after <= 0:
                return self._count(mode, "dropped")
            behaviour = mode.tcp if mode.name == "truncate" else (
                "slow" if mode.name == "slow" else "garbage" if mode.name == "garbage" else "ok")
            reply = self.answer(query).to_wire(max_size=65535)
            framed = struct.pack("!H", len(reply)) + reply
            try:
                if behaviour == "close":
                    self._count(mode, "tcp_closed")
                    return None
                if behaviour == "garbage":
                    junk = os.urandom(200)
                    conn.sendall(struct.pack("!H", len(junk)) + junk)
                    return self._count(mode, "garbage")
                if behaviour == "trickle":
                    conn.sendall(framed[:8])
                    self._count(mode, "trickled")
                    conn.settimeout(30)
                    conn.recv(1)  # until the client gives up and closes
                    return None
                if behaviour == "slow":
                    self._flight(mode, +1)
                    self.stopping.wait(mode.delay)
                    self._flight(mode, -1)
                    self._count(mode, "late")
                conn.sendall(framed)
                return self._count(mode, "answered")
            except OSError:
                return None

    @staticmethod
    def _recv_exactly(conn, count):
        data = b""
        while len(data) < count:
            chunk = conn.recv(count - len(data))
            if not chunk:
                raise OSError("closed")
            data += chunk
        return data


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", required=True, help="JSON: a list of [name, type, value]")
    parser.add_argument("--port", type=int, default=0, help="0: any free port (printed)")
    parser.add_argument("--mode", default="healthy")
    args = parser.parse_args()
    with open(args.records) as f:
        records = {(name, rdtype): value for name, rdtype, value in json.load(f)}
    server = HostileDns(records, log=sys.stdout)
    if args.port:
        server.udp.close()
        server.tcp.close()
        server.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        server.udp.bind(("127.0.0.1", args.port))
        server.tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        server.tcp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.tcp.bind(("127.0.0.1", args.port))
        server.tcp.listen(64)
        server.udp.settimeout(0.1)
        server.tcp.settimeout(0.1)
        server.port = args.port
    server.set_mode(args.mode)
    server.start()
    print(f"READY {server.server}", flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        server.stop()


if __name__ == "__main__":
    main()
