#include "milter/process.h"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <iostream>

namespace kenin::milter {
namespace {

int report_fd = -1;  // the child's end of the start-up pipe, until ReportStarted()

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

struct UserIds {
  uid_t uid;
  gid_t gid;
  std::string name;
};

std::optional<UserIds> LookUpUser(const std::string& user) {
  std::array<char, 4096> buffer{};
  passwd entry{};
  passwd* found = nullptr;
  if (getpwnam_r(user.c_str(), &entry, buffer.data(), buffer.size(), &found) != 0 || !found) {
    return std::nullopt;
  }
  return UserIds{found->pw_uid, found->pw_gid, found->pw_name};
}

void RedirectToNull(int fd) {
  int null = open("/dev/null", O_RDWR);
  if (null < 0) return;
  dup2(null, fd);
  if (null != fd) close(null);
}

// The parent: waits for the child's report ("" = started) and leaves with its result.
[[noreturn]] void WaitForChild(int read_fd) {
  std::string report;
  char buffer[512];
  ssize_t n;
  while ((n = read(read_fd, buffer, sizeof(buffer))) > 0)
    report.append(buffer, static_cast<size_t>(n));
  if (report == "ok") _exit(0);
  std::cerr << "kenind: " << (report.empty() ? "failed to start" : report) << "\n";
  _exit(1);
}

}  // namespace

ProcessError Daemonize(bool keep_stderr) {
  int fds[2];
  if (pipe(fds) != 0) return Errno("pipe");
  pid_t pid = fork();
  if (pid < 0) return Errno("fork");
  if (pid > 0) {
    close(fds[1]);
    WaitForChild(fds[0]);
  }
  close(fds[0]);
  report_fd = fds[1];
  fcntl(report_fd, F_SETFD, FD_CLOEXEC);
  if (setsid() < 0) return Errno("setsid");
  if (chdir("/") != 0) return Errno("chdir /");
  RedirectToNull(STDIN_FILENO);
  RedirectToNull(STDOUT_FILENO);
  if (!keep_stderr) RedirectToNull(STDERR_FILENO);
  return std::nullopt;
}

void ReportStarted(const std::string& error) {
  if (report_fd < 0) return;
  std::string report = error.empty() ? "ok" : error;
  ssize_t ignored = write(report_fd, report.data(), report.size());
  (void)ignored;
  close(report_fd);
  report_fd = -1;
}

ProcessError WritePidFile(const std::string& path, const std::string& user) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Errno("pid_file " + path);
  std::string pid = std::to_string(getpid()) + "\n";
  bool written = write(fd, pid.data(), pid.size()) == static_cast<ssize_t>(pid.size());
  close(fd);
  if (!written) return Errno("pid_file " + path);
  if (!user.empty() && geteuid() == 0) {
    if (auto ids = LookUpUser(user); ids && chown(path.c_str(), ids->uid, ids->gid) != 0) {
      return Errno("pid_file " + path);
    }
  }
  return std::nullopt;
}

void RemovePidFile(const std::string& path) {
  if (!path.empty()) unlink(path.c_str());
}

std::string UnixSocketPath(const std::string& spec) {
  for (const char* prefix : {"unix:", "local:"}) {
    if (spec.rfind(prefix, 0) == 0) return spec.substr(std::strlen(prefix));
  }
  return "";
}

ProcessError SetSocketPermissions(const std::string& spec, int mode, const std::string& user) {
  std::string path = UnixSocketPath(spec);
  if (path.empty()) return std::nullopt;
  if (chmod(path.c_str(), static_cast<mode_t>(mode)) != 0) return Errno("socket_mode " + path);
  if (!user.empty() && geteuid() == 0) {
    auto ids = LookUpUser(user);
    if (!ids) return "user: no such user '" + user + "'";
    if (chown(path.c_str(), ids->uid, ids->gid) != 0) return Errno("socket " + path);
  }
  return std::nullopt;
}

ProcessError DropPrivileges(const std::string& user) {
  if (user.empty()) return std::nullopt;
  auto ids = LookUpUser(user);
  if (!ids) return "user: no such user '" + user + "'";
  if (geteuid() != 0) {
    if (geteuid() == ids->uid) return std::nullopt;
    return "user: only root can switch to '" + user + "'";
  }
  // Order matters: groups and gid while still root, then uid (which cannot be undone).
  if (initgroups(ids->name.c_str(), ids->gid) != 0) return Errno("initgroups " + user);
  if (setgid(ids->gid) != 0) return Errno("setgid " + user);
  if (setuid(ids->uid) != 0) return Errno("setuid " + user);
  if (ids->uid != 0 && setuid(0) == 0)
    return "user: could still regain root after switching to '" + user + "'";
  return std::nullopt;
}

}  // namespace kenin::milter
