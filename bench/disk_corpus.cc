#include "bench/disk_corpus.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>

#include "tools/message_parser.h"

namespace kenin::bench {

std::optional<DiskCorpus> LoadDiskCorpus(const std::string& dir, std::string& error) {
  namespace fs = std::filesystem;
  static const std::regex kMessage(R"(m[0-9]+\.eml)");
  std::vector<fs::path> paths;
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    if (std::regex_match(entry.path().filename().string(), kMessage)) paths.push_back(entry.path());
  }
  if (ec || paths.empty()) {
    error = "no m*.eml messages in " + dir + (ec ? ": " + ec.message() : "");
    return std::nullopt;
  }
  std::sort(paths.begin(), paths.end());

  DiskCorpus corpus;
  corpus.zone_path = (fs::path(dir) / "zone.txt").string();
  corpus.key_path = (fs::path(dir) / "keys.txt").string();
  for (const fs::path& path : paths) {
    std::ifstream file(path, std::ios::binary);
    std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
    if (!file.eof() && file.fail()) {
      error = "cannot read " + path.string();
      return std::nullopt;
    }
    CorpusMessage& message = corpus.messages.emplace_back();
    tools::MessageParser parser({
        .on_header =
            [&](std::string_view name, std::string_view value) {
              message.headers.push_back({std::string(name), std::string(value)});
            },
        .on_end_of_headers = [] {},
        .on_body = [&](std::string_view chunk) { message.body.append(chunk); },
    });
    parser.Feed(text);
    parser.Finish();
    corpus.bytes += text.size();
  }
  return corpus;
}

}  // namespace kenin::bench
