#!/usr/bin/python3
"""The authoritative DNS server of the load benchmark: every record every milter asks for (DKIM
keys, SPF, DMARC), answered from a table built at start.

It has to keep up with milters that cache nothing (opendmarc and libspf2 ask for every message)
and to hold tens of thousands of names (the RSS run fills kenind's 10,000-entry cache), so each
reply is put together from bytes prepared at start: the query's ID and question copied, the
answer section looked up by (name, type). ldns-testns, the server of tests/integration, scans
its entries one by one (about 170 µs a query with 100 entries, 9 ms with 10,000), which would
make the DNS server the bottleneck of the opendmarc runs and of the RSS run.

Answers: the records of a name; NODATA (with the SOA) for a name that exists without that
type (or only has names below it); NXDOMAIN with the SOA (RFC 2308: cacheable) for other
names under the zone; REFUSED outside it. UDP (EDNS0 understood, TC when a reply does not
fit) and TCP.

    dns_server.py --records FILE.json --zone example. --address 192.0.2.53 --port 53

FILE.json: [[name, type, [TXT value, ...]], ...] (TXT only: all the benchmark publishes).
Prints "READY" when it answers; on SIGTERM prints "QUERIES n" and exits.
"""
import argparse
import json
import signal
import socket
import socketserver
import struct
import sys
import threading

TYPES = {"TXT": 16}
TTL = 3600
EDNS_PAYLOAD = 1232


def wire_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode("ascii")
    return out + b"\0"


def txt_rdata(value):
    data = value.encode("ascii")
    chunks = [data[i:i + 255] for i in range(0, len(data), 255)] or [b""]
    return b"".join(bytes([len(c)]) + c for c in chunks)


def record(owner, rtype, rdata, ttl=TTL):
    """One resource record; `owner` as wire bytes (0xC00C: the question name)."""
    return owner + struct.pack("!HHIH", rtype, 1, ttl, len(rdata)) + rdata


class Table:
    def __init__(self, records, zone):
        self.zone = zone.lower().rstrip(".") + "."
        self.answers = {}  # (name, type) -> (answer count, answer bytes)
        self.names = set()
        for name, rtype, values in records:
            name = name.lower().rstrip(".") + "."
            code = TYPES[rtype]
            rrs = b"".join(record(b"\xc0\x0c", code, txt_rdata(v)) for v in values)
            count, data = self.answers.get((name, code), (0, b""))
            self.answers[(name, code)] = (count + len(values), data + rrs)
            while name.endswith(self.zone) and name not in self.names:  # with its ancestors
                self.names.add(name)
                name = name.split(".", 1)[1] or "."
        soa_data = (wire_name("ns." + self.zone) + wire_name("hostmaster." + self.zone) +
                    struct.pack("!IIIII", 1, 3600, 600, 86400, 300))
        self.soa = record(wire_name(self.zone), 6, soa_data, ttl=300)

    def reply(self, query, udp=False):
        """The reply to a wire-format query, or None to drop it (not a query we can parse)."""
        if len(query) < 17 or query[2] & 0x80:
            return None
        qdcount, _, _, arcount = struct.unpack("!HHHH", query[4:12])
        if qdcount != 1:
            return None
        labels, pos = [], 12
        while pos < len(query) and query[pos] != 0:
            size = query[pos]
            labels.append(query[pos + 1:pos + 1 + size])
            pos += 1 + size
        pos += 5  # the root label, QTYPE, QCLASS
        if pos > len(query):
            return None
        question = query[12:pos]
        qtype = struct.unpack("!H", query[pos - 4:pos - 2])[0]
        name = b".".join(labels).decode("latin-1").lower() + "."
        edns = arcount > 0 and query[pos:pos + 3] == b"\0\0\x29"
        limit = max(512, struct.unpack("!H", query[pos + 3:pos + 5])[0]) if edns else 512
        limit = min(limit, EDNS_PAYLOAD) if edns else limit
        opt = b"\0" + struct.pack("!HHIH", 41, EDNS_PAYLOAD, 0, 0) if edns else b""
        flags = 0x8400 | (query[2] & 0x01) << 8  # QR AA, RD copied
        ancount, nscount, body = 0, 0, b""
        if name == self.zone or name.endswith("." + self.zone):
            found = self.answers.get((name, qtype))
            if found:
                ancount, body = found
            else:
                nscount, body = 1, self.soa
                if name not in self.names:
                    flags |= 3  # NXDOMAIN
        else:
            flags |= 5  # REFUSED
        out = (query[:2] + struct.pack("!HHHHH", flags, 1, ancount, nscount, 1 if edns else 0) +
               question + body + opt)
        if udp and len(out) > limit:
            out = (query[:2] + struct.pack("!HHHHH", flags | 0x0200, 1, 0, 0, 1 if edns else 0) +
                   question + opt)
        return out


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", required=True)
    parser.add_argument("--zone", required=True)
    parser.add_argument("--port", type=int, default=53)
    parser.add_argument("--address", default="127.0.0.1")
    args = parser.parse_args()
    with open(args.records) as f:
        table = Table(json.load(f), args.zone)
    counter = [0]

    class TcpHandler(socketserver.BaseRequestHandler):
        def handle(self):
            stream = self.request.makefile("rb")
            while True:
                head = stream.read(2)
                if len(head) < 2:
                    return
                query = stream.read(struct.unpack("!H", head)[0])
                counter[0] += 1
                reply = table.reply(query)
                if reply is None:
                    return
                self.request.sendall(struct.pack("!H", len(reply)) + reply)

    socketserver.ThreadingTCPServer.allow_reuse_address = True
    tcp = socketserver.ThreadingTCPServer((args.address, args.port), TcpHandler)
    tcp.daemon_threads = True
    threading.Thread(target=tcp.serve_forever, daemon=True).start()
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    udp.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    udp.bind((args.address, args.port))

    def stop(*_):
        print(f"QUERIES {counter[0]}", flush=True)
        sys.exit(0)
    signal.signal(signal.SIGTERM, stop)
    print("READY", flush=True)
    while True:
        query, peer = udp.recvfrom(4096)
        counter[0] += 1
        reply = table.reply(query, udp=True)
        if reply is not None:
            udp.sendto(reply, peer)


if __name__ == "__main__":
    main()
