#include "tools/message_parser.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace kenin::tools {

namespace {

// True when every LF of `chunk` follows a CR (for its first octet, the octet before the
// chunk): the chunk is CRLF text already. REQUIRES: !chunk.empty().
bool EveryLfAfterCr(std::string_view chunk, bool last_was_cr) {
  const char* p = chunk.data();
  const size_t n = chunk.size();
  if (p[0] == '\n' && !last_was_cr) return false;
  size_t i = 1;
#if defined(__SSE2__)
  // Sixteen octets at a time: a LF whose preceding octet is not a CR.
  const __m128i lf = _mm_set1_epi8('\n');
  const __m128i cr = _mm_set1_epi8('\r');
  for (; i + 16 <= n; i += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    const __m128i before = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i - 1));
    const __m128i bare = _mm_andnot_si128(_mm_cmpeq_epi8(before, cr), _mm_cmpeq_epi8(x, lf));
    if (_mm_movemask_epi8(bare) != 0) return false;
  }
#endif
  for (; i < n; ++i) {
    if (p[i] == '\n' && p[i - 1] != '\r') return false;
  }
  return true;
}

}  // namespace

void MessageParser::Feed(std::string_view chunk) {
  if (chunk.empty()) return;
  // CRLF input, the usual case, passes through without a copy.
  if (EveryLfAfterCr(chunk, last_was_cr_)) {
    last_was_cr_ = chunk.back() == '\r';
    FeedNormalized(chunk);
    return;
  }
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
  if (data.empty()) return;
  if (in_body_) {
    callbacks_.on_body(data);
    return;
  }
  size_t start = 0;
  if (!pending_.empty()) {
    // Finish the line begun in an earlier chunk; only its bytes are copied.
    if (pending_.back() == '\r' && data.front() == '\n') {
      pending_.pop_back();
      start = 1;
    } else {
      const size_t end = data.find("\r\n");
      if (end == std::string_view::npos) {
        pending_.append(data);
        return;
      }
      pending_.append(data.substr(0, end));
      start = end + 2;
    }
    std::string line = std::move(pending_);
    pending_.clear();
    if (line.empty()) {
      EndHeaders();
    } else {
      HeaderLine(line);
    }
  }
  // Whole lines are read where they are; only a trailing partial line is kept.
  while (!in_body_) {
    size_t end = data.find("\r\n", start);
    if (end == std::string_view::npos) break;
    std::string_view line = data.substr(start, end - start);
    start = end + 2;
    if (line.empty()) {
      EndHeaders();
      break;
    }
    HeaderLine(line);
  }
  std::string_view rest = data.substr(start);
  if (in_body_) {
    if (!rest.empty()) callbacks_.on_body(rest);
  } else {
    pending_.assign(rest);
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
  if (field_.capacity() < 1024) field_.reserve(1024);  // most fields fit: grown once per message
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
