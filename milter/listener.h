// Turns off Nagle's algorithm for the milter connections (issue 7: the TCP stall).
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

}  // namespace kenin::milter
