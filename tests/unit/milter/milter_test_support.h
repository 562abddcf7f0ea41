// Helpers for the milter unit tests: an Mta that records what kenind asks of it, a zone
// file written for the test, and messages split the way an MTA hands them to a milter.
#pragma once

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "milter/mta.h"

namespace kenin::milter::testing {

// Records every call as one line: "delete NAME INDEX", "insert INDEX NAME:VALUE",
// "reply CODE ENHANCED TEXT", "quarantine REASON".
class FakeMta : public Mta {
 public:
  std::optional<std::string> Macro(const std::string& name) override {
    if (name == "i" && !queue_id.empty()) return queue_id;
    return std::nullopt;
  }
  bool InsertHeader(int index, const std::string& name, const std::string& value) override {
    calls.push_back("insert " + std::to_string(index) + " " + name + ":" + value);
    return true;
  }
  bool DeleteHeader(const std::string& name, int index) override {
    calls.push_back("delete " + name + " " + std::to_string(index));
    return true;
  }
  bool SetReply(const std::string& code, const std::string& enhanced,
                const std::string& text) override {
    calls.push_back("reply " + code + " " + enhanced + " " + text);
    return true;
  }
  bool Quarantine(const std::string& reason) override {
    calls.push_back("quarantine " + reason);
    return true;
  }

  std::string queue_id;
  std::vector<std::string> calls;
};

// A directory of its own under the system temp dir, removed at the end of the test.
class TempDir {
 public:
  TempDir() {
    path_ = std::filesystem::temp_directory_path() /
            ("kenin-milter-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  std::string Write(const std::string& name, const std::string& text) const {
    std::filesystem::path file = path_ / name;
    std::ofstream(file, std::ios::binary) << text;
    return file.string();
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  static inline int counter_ = 0;
  std::filesystem::path path_;
};

inline std::string ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

struct MilterMessage {
  std::vector<std::pair<std::string, std::string>> fields;  // value: after the colon, folds "\n"
  std::string body;                                         // CRLF line ends
};

// Splits a message (LF or CRLF) as Postfix hands it to a milter: values keep their leading
// space, folds become "\n" + WSP, the body gets CRLF line ends.
inline MilterMessage SplitMessage(const std::string& text) {
  std::string lf;
  for (char c : text) {
    if (c != '\r') lf += c;
  }
  size_t end = lf.find("\n\n");
  std::string head = lf.substr(0, end + 1);
  MilterMessage message;
  std::istringstream lines(head);
  std::string line;
  while (std::getline(lines, line)) {
    if ((line[0] == ' ' || line[0] == '\t') && !message.fields.empty()) {
      message.fields.back().second += "\n" + line;
    } else {
      size_t colon = line.find(':');
      message.fields.emplace_back(line.substr(0, colon), line.substr(colon + 1));
    }
  }
  for (char c : lf.substr(end + 2)) {
    if (c == '\n') message.body += '\r';
    message.body += c;
  }
  return message;
}

}  // namespace kenin::milter::testing
