// Turns off Nagle's algorithm for the milter connections, and ACKs the MTA's writes without
// delay (issue 7: the TCP stall).
// At end-of-message kenind answers with several small packets (each header edit, then the
// verdict). With Nagle on, the second waits for the MTA to ACK the first, and the MTA, which
// has nothing to send until the verdict, delays that ACK by up to 40 ms: every message over
// an inet socket would stall that long. libmilter owns the listening socket and does not
// hand out its descriptor, but Linux copies TCP_NODELAY from a listening socket to every
// socket accept() returns, so setting it once on the listener covers all connections.
#pragma once

#include <optional>
#include <string>

namespace kenin::milter {

// Finds this process's listening TCP socket on the port of `socket_spec` (inet:PORT@HOST or
// inet6:PORT@HOST; unix sockets have no Nagle and need nothing) among its open descriptors
// and sets TCP_NODELAY on it. Call after smfi_opensocket(). Returns a problem to log; kenind
// keeps serving without it (slower, never wrong).
std::optional<std::string> DisableNagleOnListener(const std::string& socket_spec);

// The other half of the stall: the MTA's side has Nagle on (Postfix sets no TCP_NODELAY on
// its milter connections) and sends the steps kenind does not answer (SMFIP_NR_*) one small
// write after another; each write after the first waits for kenind's ACK of the one before.
// Once kenind has replied to something (negotiation, end-of-message), Linux counts the
// connection as interactive ("pingpong") and holds that ACK back to ride on the next reply,
// which only comes at end-of-message: up to 40 ms (the delayed-ACK timer) per message.
// AckNow() sends a held-back ACK at once and leaves interactive mode (TCP_QUICKACK), after
// which the kernel ACKs each write as kenind reads it; call it on the first step read after a
// reply. TcpConnection() tells which descriptors need it.

// `fd` if it is a TCP socket (IPv4 or IPv6), else -1 (unix sockets have no delayed ACKs).
int TcpConnection(int fd);

// TCP_QUICKACK on `fd` (a TcpConnection); errors are ignored (the ACK then comes late).
void AckNow(int fd);

}  // namespace kenin::milter
