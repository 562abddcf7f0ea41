#include "tools/message_parser.h"

namespace kenin::tools {

void MessageParser::Feed(std::string_view chunk) {
  // A LF not preceded by CR becomes CRLF (SPEC §6: LF files are read as CRLF).
  normalized_.clear();
  normalized_.reserve(chunk.size() + chunk.size() / 32);
  for (char c : chunk) {
    if (c == '\n' && !last_was_cr_) normalized_ += '\r';
    normalized_ += c;
    last_was_cr_ = c == '\r';
  }
  FeedNormalized(normalized_);
}

void MessageParser::FeedNormalized(std::string_view data) {
  if (in_body_) {
    if (!data.empty()) callbacks_.on_body(data);
    return;
  }
  pending_.append(data);
  size_t start = 0;
  while (!in_body_) {
    size_t end = pending_.find("\r\n", start);
    if (end == std::string::npos) break;
    std::string_view line(pending_.data() + start, end - start);
    start = end + 2;
    if (line.empty()) {
      EndHeaders();
      break;
    }
    HeaderLine(line);
  }
  std::string rest = pending_.substr(start);
  pending_.clear();
  if (in_body_) {
    if (!rest.empty()) callbacks_.on_body(rest);
  } else {
    pending_ = std::move(rest);
  }
}

void MessageParser::HeaderLine(std::string_view line) {
  bool first = first_line_;
  first_line_ = false;
  // An mbox "From " separator line is not a header field.
  if (first && line.starts_with("From ")) return;
  if ((line.front() == ' ' || line.front() == '\t') && !field_.empty()) {
    field_ += "\r\n";  // folded continuation: keep the exact bytes for simple canonicalization
    field_.append(line);
    return;
  }
  FlushField();
  field_.assign(line);
}

void MessageParser::FlushField() {
  if (field_.empty()) return;
  size_t colon = field_.find(':');
  // A line without a colon is not a field (RFC 5322 §2.2); it is dropped, not guessed at.
  if (colon != std::string::npos) {
    callbacks_.on_header(std::string_view(field_).substr(0, colon),
                         std::string_view(field_).substr(colon + 1));
  }
  field_.clear();
}

void MessageParser::EndHeaders() {
  FlushField();
  in_body_ = true;
  callbacks_.on_end_of_headers();
}

void MessageParser::Finish() {
  if (in_body_) return;
  // No empty line: the message is all header. A last line without CRLF is still a line.
  if (!pending_.empty()) {
    std::string last = std::move(pending_);
    pending_.clear();
    if (last.ends_with("\r")) last.pop_back();
    if (!last.empty()) HeaderLine(last);
  }
  EndHeaders();
}

}  // namespace kenin::tools
