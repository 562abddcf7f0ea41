// The input of the whole-message targets (dkim_message_fuzz, arc_fuzz): a message plus the
// chunk sizes it is fed in, so that one property, "fed in pieces gives what fed whole gives",
// is checked the same way in both. Header-only; used by fuzz/*_fuzz.cc only.
#pragma once

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "tools/message_parser.h"

namespace kenin::fuzz {

struct MessageInput {
  std::vector<size_t> chunk_sizes;  // 1..8 sizes of 1..300 octets, repeated over the message
  std::string message;
};

// The chunk sizes come from the end of the data (FuzzedDataProvider takes integers from
// there), the message is the rest.
inline MessageInput ConsumeMessageInput(FuzzedDataProvider& input) {
  MessageInput out;
  out.chunk_sizes.resize(input.ConsumeIntegralInRange<size_t>(1, 8));
  for (size_t& size : out.chunk_sizes) size = input.ConsumeIntegralInRange<size_t>(1, 300);
  out.message = input.ConsumeRemainingBytesAsString();
  return out;
}

// Feeds `message` to `parser` whole (`chunk_sizes` empty) or in pieces of the sizes given,
// cycling through them, then finishes it.
inline void FeedMessage(tools::MessageParser& parser, std::string_view message,
                        const std::vector<size_t>& chunk_sizes) {
  size_t pos = 0;
  for (size_t i = 0; pos < message.size(); ++i) {
    const size_t n = chunk_sizes.empty() ? message.size() : chunk_sizes[i % chunk_sizes.size()];
    parser.Feed(message.substr(pos, n));
    pos += n;
  }
  parser.Finish();
}

// A data file's text; empty when it cannot be read (the caller decides whether that is fatal).
inline std::string ReadFileText(const char* path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace kenin::fuzz
