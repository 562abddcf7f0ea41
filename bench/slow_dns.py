#!/usr/bin/python3
"""An authoritative DNS server on loopback that answers from one zone file after a fixed delay:
the "far away resolver" of the overlap benchmark (issue 5: every answer 200 ms late).

Each query is answered on its own timer, so answers overlap exactly as far as the client
asks in parallel: N lookups asked at once cost one delay, N asked one after another N delays.
Names in the zone: the records (NODATA with the SOA when the type is missing); names under the
origin but not in the zone: NXDOMAIN with the SOA (RFC 2308, so they are cacheable); names
outside: REFUSED. UDP with EDNS0 and TC when too big, and TCP.

Every query is logged to stdout as "Q <seconds> <name> <type>" for the caller to count.

    slow_dns.py --zone FILE --origin test. --port 5353 --delay-ms 200
"""
import argparse
import socket
import socketserver
import struct
import sys
import threading
import time

import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype
import dns.zone

LOCK = threading.Lock()


def log_query(name, rdtype):
    with LOCK:
        sys.stdout.write(f"Q {time.time():.6f} {name} {dns.rdatatype.to_text(rdtype)}\n")
        sys.stdout.flush()


def answer(zone, wire):
    query = dns.message.from_wire(wire)
    response = dns.message.make_response(query)
    response.flags |= dns.flags.AA
    question = query.question[0]
    log_query(question.name.to_text(), question.rdtype)
    if not question.name.is_subdomain(zone.origin):
        response.set_rcode(dns.rcode.REFUSED)
        return response
    soa = zone.find_rrset(zone.origin, dns.rdatatype.SOA)
    node = zone.get_node(question.name)
    if node is None:
        response.set_rcode(dns.rcode.NXDOMAIN)
        response.authority.append(soa)
        return response
    rdataset = node.get_rdataset(dns.rdataclass.IN, question.rdtype)
    if rdataset is None:
        response.authority.append(soa)  # NODATA
    else:
        rrset = response.find_rrset(response.answer, question.name, dns.rdataclass.IN,
                                    question.rdtype, create=True)
        rrset.update(rdataset)
    return response


class Server:
    def __init__(self, zone, port, delay):
        self.zone, self.delay = zone, delay
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", port))
        server = self

        class TcpHandler(socketserver.BaseRequestHandler):
            def handle(self):
                size = struct.unpack(">H", self.request.recv(2, socket.MSG_WAITALL))[0]
                wire = self.request.recv(size, socket.MSG_WAITALL)
                time.sleep(server.delay)
                reply = answer(server.zone, wire).to_wire()
                self.request.sendall(struct.pack(">H", len(reply)) + reply)

        socketserver.ThreadingTCPServer.allow_reuse_address = True
        self.tcp = socketserver.ThreadingTCPServer(("127.0.0.1", port), TcpHandler)
        self.tcp.daemon_threads = True

    def serve(self):
        threading.Thread(target=self.tcp.serve_forever, daemon=True).start()
        while True:
            wire, peer = self.udp.recvfrom(65535)
            threading.Timer(self.delay, self.reply_udp, (wire, peer)).start()

    def reply_udp(self, wire, peer):
        try:
            query = dns.message.from_wire(wire)
            limit = max(query.payload, 512) if query.edns >= 0 else 512
            reply = answer(self.zone, wire).to_wire(max_size=65535)
            if len(reply) > limit:
                response = dns.message.make_response(query)
                response.flags |= dns.flags.TC
                reply = response.to_wire()
            self.udp.sendto(reply, peer)
        except Exception as error:  # a malformed query: no answer, as a real server might
            sys.stderr.write(f"slow_dns: {error}\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zone", required=True)
    parser.add_argument("--origin", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--delay-ms", type=float, default=200)
    args = parser.parse_args()
    zone = dns.zone.from_file(args.zone, origin=args.origin, relativize=False)
    server = Server(zone, args.port, args.delay_ms / 1000.0)
    print("READY", flush=True)
    server.serve()


if __name__ == "__main__":
    main()
