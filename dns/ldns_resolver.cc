// One lookup: build the query with ldns (RD and AD set, EDNS0 OPT with our UDP size), send
// it over UDP to one server per attempt, wait for a reply that matches (id, QR, question);
// anything else on the socket is ignored until the attempt's deadline (RFC 5452 §9.1). A
// truncated reply is asked again over TCP (RFC 7766 §5). From the answer section the CNAME
// chain is followed from the question name; a chain that ends without data is asked again
// for its target, up to max_cname_hops links in all, loops detected. The lookup has one
// deadline (timeout x attempts from its start) that every exchange, link and retry shares,
// so the documented bound holds whatever a hostile server does (tests/e2e/dns_faults_e2e.py).
#include "dns/ldns_resolver.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>

#include "dns/ldns_records.h"
#include "dns/ldns_reply.h"
#include "dns/ldns_wire.h"

namespace kenin::dns {
namespace {

using SteadyClock = std::chrono::steady_clock;
constexpr size_t kMaxUdpReply = 65535;

struct PktDeleter {
  void operator()(ldns_pkt* pkt) const { ldns_pkt_free(pkt); }
};
using PktPtr = std::unique_ptr<ldns_pkt, PktDeleter>;

class Socket {
 public:
  explicit Socket(int fd) : fd_(fd) {}
  ~Socket() {
    if (fd_ >= 0) close(fd_);
  }
  Socket(const Socket&) = delete;
  Socket& operator=(const Socket&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// RFC 5452 §9.2: the query id is one of the two secrets (with the source port, which the
// kernel picks at random for each new socket) a spoofer must guess, so it comes from the
// kernel's CSPRNG, not from a predictable generator.
uint16_t RandomId() {
  uint16_t id = 0;
  if (getrandom(&id, sizeof id, 0) != static_cast<ssize_t>(sizeof id)) {
    static std::atomic<uint16_t> fallback{static_cast<uint16_t>(std::random_device{}())};
    id = fallback.fetch_add(40503, std::memory_order_relaxed);  // getrandom cannot fail here in practice
  }
  return id;
}

// The query in wire format with a fresh id: each attempt gets its own, so a late reply to an
// earlier attempt, or a spoofed one aimed at it, does not match the next.
std::optional<std::vector<uint8_t>> EncodeWithNewId(ldns_pkt* query) {
  ldns_pkt_set_id(query, RandomId());
  uint8_t* raw_wire = nullptr;
  size_t wire_size = 0;
  if (ldns_pkt2wire(&raw_wire, query, &wire_size) != LDNS_STATUS_OK) return std::nullopt;
  std::vector<uint8_t> wire(raw_wire, raw_wire + wire_size);
  std::free(raw_wire);
  return wire;
}

int MillisLeft(SteadyClock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now());
  return static_cast<int>(std::max<int64_t>(0, left.count()));
}

// Fills `storage` with the server's address; returns its length, 0 if not an IP literal.
socklen_t ServerAddress(const NameServer& server, sockaddr_storage& storage) {
  std::memset(&storage, 0, sizeof(storage));
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  if (inet_pton(AF_INET, server.address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(server.port);
    return sizeof(sockaddr_in);
  }
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (inet_pton(AF_INET6, server.address.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(server.port);
    return sizeof(sockaddr_in6);
  }
  return 0;
}

// Waits until `fd` is ready for `events` or the deadline passes.
bool WaitFor(int fd, short events, SteadyClock::time_point deadline) {
  pollfd pfd{fd, events, 0};
  while (true) {
    int n = poll(&pfd, 1, MillisLeft(deadline));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return false;
  }
}

bool SameQuestion(const ldns_pkt* reply, const ldns_pkt* query) {
  if (ldns_pkt_qdcount(reply) != 1) return false;
  const ldns_rr* q = ldns_rr_list_rr(ldns_pkt_question(query), 0);
  const ldns_rr* r = ldns_rr_list_rr(ldns_pkt_question(reply), 0);
  return r != nullptr && ldns_rr_get_type(r) == ldns_rr_get_type(q) &&
         ldns_rr_get_class(r) == ldns_rr_get_class(q) &&
         ldns_dname_compare(ldns_rr_owner(r), ldns_rr_owner(q)) == 0;
}

bool Matches(const ldns_pkt* reply, const ldns_pkt* query) {
  return ldns_pkt_id(reply) == ldns_pkt_id(query) && ldns_pkt_qr(reply) && SameQuestion(reply, query);
}

// Why one exchange gave no reply. `final` ends the lookup at once: the server did answer, and
// asking again would only get the same answer.
struct AttemptFailure {
  std::string what;
  bool final = false;
};
using AttemptResult = tl::expected<PktPtr, AttemptFailure>;

tl::unexpected<AttemptFailure> Failed(std::string what, bool final = false) {
  return tl::unexpected(AttemptFailure{std::move(what), final});
}

tl::unexpected<AttemptFailure> TooLarge(size_t size, size_t limit) {
  return Failed("answer too large (" + std::to_string(size) + " > " + std::to_string(limit) +
                    " bytes, max_answer_bytes)",
                /*final=*/true);
}

// One UDP exchange: the first matching reply before the deadline.
AttemptResult AskUdp(const sockaddr_storage& address, socklen_t length, const ldns_pkt* query,
                     const std::vector<uint8_t>& wire, SteadyClock::time_point deadline,
                     size_t max_answer_bytes) {
  Socket socket(::socket(address.ss_family, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (socket.get() < 0) return Failed("no UDP socket");
  // connect() makes the kernel drop datagrams from other sources and report ICMP errors.
  if (connect(socket.get(), reinterpret_cast<const sockaddr*>(&address), length) != 0) {
    return Failed("UDP connect failed");
  }
  if (send(socket.get(), wire.data(), wire.size(), 0) != static_cast<ssize_t>(wire.size())) {
    return Failed(errno == ECONNREFUSED ? "connection refused" : "UDP send failed");
  }
  std::vector<uint8_t> buffer(kMaxUdpReply);
  int ignored = 0;
  while (WaitFor(socket.get(), POLLIN, deadline)) {
    ssize_t n = recv(socket.get(), buffer.data(), buffer.size(), 0);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return Failed(errno == ECONNREFUSED ? "connection refused" : "UDP receive failed");
    }
    ldns_pkt* raw = nullptr;
    if (WireToPacket(&raw, buffer.data(), static_cast<size_t>(n)) != LDNS_STATUS_OK) {
      ++ignored;  // garbage: keep waiting, the real reply may still come
      continue;
    }
    PktPtr reply(raw);
    if (!Matches(reply.get(), query)) {
      ++ignored;  // stray or forged: keep waiting
      continue;
    }
    if (static_cast<size_t>(n) > max_answer_bytes) return TooLarge(static_cast<size_t>(n), max_answer_bytes);
    return reply;
  }
  if (ignored == 0) return Failed("timeout");
  return Failed("timeout, " + std::to_string(ignored) + " unusable replies ignored");
}

// Each returns what went wrong, nullopt when done.
std::optional<std::string> SendAll(int fd, const uint8_t* data, size_t size, SteadyClock::time_point deadline) {
  while (size > 0) {
    if (!WaitFor(fd, POLLOUT, deadline)) return "TCP timeout";
    ssize_t n = send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return "TCP send failed";
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return std::nullopt;
}

std::optional<std::string> RecvAll(int fd, uint8_t* data, size_t size, SteadyClock::time_point deadline) {
  while (size > 0) {
    if (!WaitFor(fd, POLLIN, deadline)) return "TCP timeout";
    ssize_t n = recv(fd, data, size, 0);
    if (n == 0) return "TCP connection closed";
    if (n < 0) {
      if (errno == EAGAIN || errno == EINTR) continue;
      return "TCP receive failed";
    }
    data += n;
    size -= static_cast<size_t>(n);
  }
  return std::nullopt;
}

// One TCP exchange with the 2-octet length framing of RFC 1035 §4.2.2. The length is checked
// against max_answer_bytes before the answer is read.
AttemptResult AskTcp(const sockaddr_storage& address, socklen_t length, const ldns_pkt* query,
                     const std::vector<uint8_t>& wire, SteadyClock::time_point deadline,
                     size_t max_answer_bytes) {
  Socket socket(::socket(address.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (socket.get() < 0) return Failed("no TCP socket");
  if (connect(socket.get(), reinterpret_cast<const sockaddr*>(&address), length) != 0) {
    if (errno != EINPROGRESS) return Failed("TCP connect failed");
    if (!WaitFor(socket.get(), POLLOUT, deadline)) return Failed("TCP connect timeout");
    int error = 0;
    socklen_t size = sizeof(error);
    getsockopt(socket.get(), SOL_SOCKET, SO_ERROR, &error, &size);
    if (error != 0) return Failed(error == ECONNREFUSED ? "TCP connection refused" : "TCP connect failed");
  }
  std::vector<uint8_t> framed = {static_cast<uint8_t>(wire.size() >> 8), static_cast<uint8_t>(wire.size())};
  framed.insert(framed.end(), wire.begin(), wire.end());
  if (auto problem = SendAll(socket.get(), framed.data(), framed.size(), deadline)) return Failed(*problem);
  uint8_t prefix[2];
  if (auto problem = RecvAll(socket.get(), prefix, 2, deadline)) return Failed(*problem);
  const size_t size = static_cast<size_t>(prefix[0]) << 8 | prefix[1];
  if (size > max_answer_bytes) return TooLarge(size, max_answer_bytes);
  std::vector<uint8_t> buffer(size);
  if (auto problem = RecvAll(socket.get(), buffer.data(), buffer.size(), deadline)) return Failed(*problem);
  ldns_pkt* raw = nullptr;
  if (WireToPacket(&raw, buffer.data(), buffer.size()) != LDNS_STATUS_OK) return Failed("TCP reply unparsable");
  PktPtr reply(raw);
  // One query per connection: a reply that does not match it cannot be waited past.
  if (!Matches(reply.get(), query)) return Failed("TCP reply does not match the query");
  return reply;
}

// Builds the query and asks the servers in turn, one attempt each, until one replies or the
// lookup's deadline passes. Each exchange waits at most `timeout`, never past `deadline`.
Result<PktPtr> Exchange(const LdnsOptions& options, const std::string& name, RecordType type,
                        SteadyClock::time_point deadline) {
  if (options.servers.empty()) return tl::unexpected(Error{ErrorCode::kTransport, "no nameservers configured"});
  ldns_rdf* owner = ldns_dname_new_frm_str(name.empty() ? "." : name.c_str());
  if (owner == nullptr) return tl::unexpected(Error{ErrorCode::kBadReply, "not a domain name: " + ShownName(name)});
  PktPtr query(ldns_pkt_query_new(owner, static_cast<ldns_rr_type>(type), LDNS_RR_CLASS_IN, LDNS_RD | LDNS_AD));
  // RFC 6891 OPT record. A server then truncates what we would refuse anyway, and the TCP
  // retry is refused on its length prefix without being read.
  const size_t udp_size = std::max<size_t>(512, std::min<size_t>(options.max_answer_bytes, options.edns_udp_size));
  ldns_pkt_set_edns_udp_size(query.get(), static_cast<uint16_t>(udp_size));

  static std::atomic<unsigned> rotation{0};
  const unsigned first = rotation.fetch_add(1, std::memory_order_relaxed);
  std::string last = "no time left in the lookup's deadline";
  int made = 0;
  for (int attempt = 0; attempt < options.attempts && SteadyClock::now() < deadline; ++attempt) {
    ++made;
    const NameServer& server = options.servers[(first + static_cast<unsigned>(attempt)) % options.servers.size()];
    sockaddr_storage address;
    socklen_t length = ServerAddress(server, address);
    std::optional<std::vector<uint8_t>> wire = EncodeWithNewId(query.get());
    if (!wire) return tl::unexpected(Error{ErrorCode::kBadReply, "cannot encode a query for " + ShownName(name)});
    AttemptResult reply = AskUdp(address, length, query.get(), *wire,
                                 std::min(SteadyClock::now() + options.timeout, deadline), options.max_answer_bytes);
    if (reply && ldns_pkt_tc(reply->get())) {
      // RFC 7766 §5: truncated over UDP, ask the same server over TCP.
      reply = AskTcp(address, length, query.get(), *wire,
                     std::min(SteadyClock::now() + options.timeout, deadline), options.max_answer_bytes);
      if (!reply) reply.error().what = "truncated, then " + reply.error().what;
    }
    if (reply) return std::move(*reply);
    if (reply.error().final) {
      return tl::unexpected(Error{ErrorCode::kBadReply, reply.error().what + " for " + ShownName(name)});
    }
    last = std::move(reply.error().what);  // silence, garbage, refused, a bad TCP exchange: the next attempt
  }
  return tl::unexpected(Error{ErrorCode::kTimeout, "no usable reply for " + ShownName(name) + " (" +
                                                       std::to_string(made) + (made == 1 ? " attempt" : " attempts") +
                                                       "; last: " + last + ")"});
}

}  // namespace

Result<NameServer> ParseNameServer(std::string_view text) {
  NameServer server;
  std::string_view host = text;
  std::string_view port;
  if (text.starts_with('[')) {
    size_t close = text.find(']');
    if (close == text.npos) return tl::unexpected(Error{ErrorCode::kTransport, "bad nameserver " + std::string(text)});
    host = text.substr(1, close - 1);
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':') return tl::unexpected(Error{ErrorCode::kTransport, "bad nameserver " + std::string(text)});
      port = text.substr(close + 2);
    }
  } else if (std::count(text.begin(), text.end(), ':') == 1) {
    size_t colon = text.find(':');
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
  }
  server.address = std::string(host);
  if (!port.empty()) {
    unsigned value = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || ptr != port.data() + port.size() || value == 0 || value > 65535) {
      return tl::unexpected(Error{ErrorCode::kTransport, "bad port in nameserver " + std::string(text)});
    }
    server.port = static_cast<uint16_t>(value);
  }
  sockaddr_storage storage;
  if (ServerAddress(server, storage) == 0) {
    return tl::unexpected(Error{ErrorCode::kTransport, "nameserver is not an IP address: " + std::string(text)});
  }
  return server;
}

Result<std::vector<NameServer>> NameServersFromResolvConf(const std::string& path) {
  std::ifstream file(path);
  if (!file) return tl::unexpected(Error{ErrorCode::kTransport, "cannot read " + path});
  std::vector<NameServer> servers;
  std::string line;
  while (std::getline(file, line)) {
    std::istringstream words(line);
    std::string keyword, address;
    if (!(words >> keyword >> address) || keyword != "nameserver") continue;
    if (size_t zone = address.find('%'); zone != std::string::npos) address.resize(zone);
    if (auto server = ParseNameServer(address)) servers.push_back(*server);
  }
  if (servers.empty()) return tl::unexpected(Error{ErrorCode::kTransport, "no nameserver in " + path});
  return servers;
}

LdnsResolver::LdnsResolver(LdnsOptions options) : options_(std::move(options)) {}

Result<Answer> LdnsResolver::Resolve(const Question& question) {
  std::string name = NormalizeName(question.name);
  std::set<std::string> visited;
  // One deadline for the whole lookup: a chain of slow CNAME links cannot stretch it.
  const auto deadline = SteadyClock::now() + options_.timeout * std::max(1, options_.attempts);
  for (int hop = 0; hop <= options_.max_cname_hops; ++hop) {
    if (!visited.insert(name).second) return tl::unexpected(Error{ErrorCode::kBadReply, "CNAME loop at " + ShownName(name)});
    auto reply = Exchange(options_, name, question.type, deadline);
    if (!reply) return tl::unexpected(reply.error());
    auto step = ReadReply(reply->get(), name, question.type, options_.max_cname_hops - hop, visited);
    if (!step) return tl::unexpected(step.error());
    if (!step->next_name) return std::move(step->answer);
    name = *step->next_name;  // the chain ended at a name the reply had no data for
  }
  return tl::unexpected(Error{ErrorCode::kBadReply, "CNAME chain longer than " + std::to_string(options_.max_cname_hops)});
}

}  // namespace kenin::dns
