// Splits an RFC 5322 message arriving in chunks into header fields and body chunks, the way
// an MTA hands them to a milter, so `kenin` drives the verifier exactly as `kenind` will.
// Bare LF line endings (Unix files) are read as CRLF. The body is passed through, never
// held; only the header section is buffered. Not thread-safe.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace kenin::tools {

class MessageParser {
 public:
  struct Callbacks {
    std::function<void(std::string_view name, std::string_view value)> on_header;
    std::function<void()> on_end_of_headers;
    std::function<void(std::string_view chunk)> on_body;
  };
  explicit MessageParser(Callbacks callbacks) : callbacks_(std::move(callbacks)) {}

  void Feed(std::string_view chunk);
  // REQUIRES: called once, after the last Feed().
  void Finish();

 private:
  void FeedNormalized(std::string_view data);
  void HeaderLine(std::string_view line);
  void FlushField();
  void EndHeaders();

  Callbacks callbacks_;
  bool in_body_ = false;
  bool last_was_cr_ = false;  // line-ending normalization across chunk boundaries
  bool first_line_ = true;
  std::string pending_;       // header bytes not yet forming a whole line
  std::string field_;         // the header field being assembled, folding kept
  std::string normalized_;    // scratch for the CRLF-normalized chunk
};

}  // namespace kenin::tools
