// Body canonicalization as a byte-level state machine.
//
// A line is "empty" until it gets canonical content; an empty line's CRLF is not emitted at
// once but counted in pending_crlf_, and emitted only when a later line gets content. So the
// empty lines at the end of the body are never emitted (RFC 6376 §3.4.3, §3.4.4 "ignore all
// empty lines at the end of the message body"), and nothing but a counter is held.
// Relaxed: a WSP run sets wsp_pending_; it becomes one SP if content follows on the same
// line and vanishes at the end of the line (§3.4.4 a, b). A line of WSP only is empty.
// A CR is held in cr_pending_ until the next octet (possibly in the next chunk) shows
// whether it ends the line; a CR or LF on its own is ordinary content.
#include "verifier/body_hasher.h"

#include <algorithm>

namespace kenin::verifier {
namespace {

bool IsWsp(char c) { return c == ' ' || c == '\t'; }

// End of a run of octets that simple canonicalization passes through: up to the next CR.
size_t SimpleRunEnd(std::string_view chunk, size_t i) {
  size_t cr = chunk.find('\r', i + 1);
  return cr == std::string_view::npos ? chunk.size() : cr;
}

// End of a run that relaxed canonicalization leaves as it is: content octets and single
// SPs between them (already canonical, §3.4.4 b). It stops before a CR, a TAB, two WSP in
// a row, or a SP at the end of the chunk (whose fate depends on what follows), so the whole
// run is hashed in one piece instead of word by word.
size_t RelaxedRunEnd(std::string_view chunk, size_t i) {
  const size_t n = chunk.size();
  size_t j = i + 1;
  while (j < n) {
    char c = chunk[j];
    if (c == '\r' || c == '\t') break;
    if (c == ' ') {
      if (j + 1 >= n) break;
      char next = chunk[j + 1];
      if (next == '\r' || IsWsp(next)) break;
    }
    ++j;
  }
  return j;
}

}  // namespace

BodyHasher::BodyHasher(Canonicalization canon, HashAlgorithm hash,
                       std::optional<uint64_t> length_limit)
    : canon_(canon), hash_(hash), limit_(length_limit), digest_(hash) {}

void BodyHasher::Update(std::string_view chunk) {
  const bool relaxed = canon_ == Canonicalization::kRelaxed;
  size_t i = 0;
  const size_t n = chunk.size();
  while (i < n) {
    if (cr_pending_) {
      cr_pending_ = false;
      if (chunk[i] == '\n') {
        EndOfLine();
        ++i;
        continue;
      }
      Content("\r");
    }
    char c = chunk[i];
    if (c == '\r') {
      cr_pending_ = true;
      ++i;
      continue;
    }
    if (relaxed && IsWsp(c)) {
      wsp_pending_ = true;
      ++i;
      continue;
    }
    size_t j = relaxed ? RelaxedRunEnd(chunk, i) : SimpleRunEnd(chunk, i);
    Content(chunk.substr(i, j - i));
    i = j;
  }
}

void BodyHasher::Content(std::string_view bytes) {
  if (!line_has_content_) {
    for (; pending_crlf_ > 0; --pending_crlf_) Emit("\r\n");
    line_has_content_ = true;
  }
  if (wsp_pending_) {
    Emit(" ");
    wsp_pending_ = false;
  }
  Emit(bytes);
}

void BodyHasher::EndOfLine() {
  wsp_pending_ = false;  // relaxed §3.4.4 (a): WSP at the end of a line is ignored
  if (line_has_content_) {
    Emit("\r\n");
    line_has_content_ = false;
  } else {
    ++pending_crlf_;
  }
}

void BodyHasher::Emit(std::string_view bytes) {
  uint64_t start = canonical_length_;
  canonical_length_ += bytes.size();
  if (limit_) {
    // l= (RFC 6376 §3.5): only the first l octets of the canonical body are hashed.
    if (start >= *limit_) return;
    bytes = bytes.substr(0, static_cast<size_t>(std::min<uint64_t>(bytes.size(), *limit_ - start)));
  }
  if (bytes.size() >= buffer_.size()) {
    Flush();
    digest_.Update(bytes);
    return;
  }
  if (buffered_ + bytes.size() > buffer_.size()) Flush();
  std::copy(bytes.begin(), bytes.end(), buffer_.begin() + static_cast<std::ptrdiff_t>(buffered_));
  buffered_ += bytes.size();
}

void BodyHasher::Flush() {
  digest_.Update(std::string_view(buffer_.data(), buffered_));
  buffered_ = 0;
}

std::string BodyHasher::Finish() {
  if (cr_pending_) {
    cr_pending_ = false;
    Content("\r");  // a CR at the very end is not a line break
  }
  // Both canonicalizations add a CRLF to a last line that lacks one (§3.4.3, §3.4.4).
  if (line_has_content_) EndOfLine();
  // §3.4.3: simple turns an empty body into a single CRLF; relaxed leaves it empty.
  if (canon_ == Canonicalization::kSimple && canonical_length_ == 0) Emit("\r\n");
  Flush();
  return digest_.Finish();
}

}  // namespace kenin::verifier
