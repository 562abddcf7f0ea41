#include "milter/listener.h"

#include <dirent.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <charconv>
#include <cstdlib>

namespace kenin::milter {
namespace {

// The PORT of inet:PORT@HOST / inet6:PORT@HOST; nullopt for unix and local sockets.
std::optional<int> InetPort(const std::string& spec) {
  size_t colon = spec.find(':');
  if (colon == std::string::npos) return std::nullopt;
  std::string kind = spec.substr(0, colon);
  if (kind != "inet" && kind != "inet6") return std::nullopt;
  std::string rest = spec.substr(colon + 1);
  int port = 0;
  auto [end, error] = std::from_chars(rest.data(), rest.data() + rest.size(), port);
  if (error != std::errc()) return std::nullopt;
  return port;
}

bool IsListeningTcpOn(int fd, int port) {
  struct stat status {};
  if (fstat(fd, &status) != 0 || !S_ISSOCK(status.st_mode)) return false;
  int listening = 0;
  socklen_t size = sizeof listening;
  if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &size) != 0 || !listening) return false;
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return false;
  if (address.ss_family == AF_INET) {
    return ntohs(reinterpret_cast<sockaddr_in*>(&address)->sin_port) == port;
  }
  if (address.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<sockaddr_in6*>(&address)->sin6_port) == port;
  }
  return false;
}

}  // namespace

std::optional<std::string> DisableNagleOnListener(const std::string& socket_spec) {
  std::optional<int> port = InetPort(socket_spec);
  if (!port) return std::nullopt;
  DIR* fds = opendir("/proc/self/fd");
  if (fds == nullptr) return "cannot list /proc/self/fd to find the milter socket";
  int found = 0;
  while (dirent* entry = readdir(fds)) {
    char* end = nullptr;
    long fd = std::strtol(entry->d_name, &end, 10);
    if (*end != '\0' || end == entry->d_name || fd == dirfd(fds)) continue;
    if (!IsListeningTcpOn(static_cast<int>(fd), *port)) continue;
    int on = 1;
    if (setsockopt(static_cast<int>(fd), IPPROTO_TCP, TCP_NODELAY, &on, sizeof on) == 0) ++found;
  }
  closedir(fds);
  if (found == 0) return "no listening socket on port " + std::to_string(*port) + " to set TCP_NODELAY on";
  return std::nullopt;
}

int TcpConnection(int fd) {
  if (fd < 0) return -1;
  int type = 0;
  socklen_t size = sizeof type;
  if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &size) != 0 || type != SOCK_STREAM) return -1;
  sockaddr_storage address{};
  socklen_t length = sizeof address;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return -1;
  return address.ss_family == AF_INET || address.ss_family == AF_INET6 ? fd : -1;
}

void AckNow(int fd) {
  int on = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &on, sizeof on);
}

}  // namespace kenin::milter
