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
// The machine steps octet by octet only where the canonical form differs from the input:
// stretches that pass through unchanged, usually many lines long, are found sixteen octets at
// a time and hashed in one piece (RunEnd below), so text costs little more than SHA-256.
#include "verifier/body_hasher.h"

#include <algorithm>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace kenin::verifier {
namespace {

constexpr size_t kDirectUpdateBytes = 512;

bool IsWsp(char c) { return c == ' ' || c == '\t'; }

// A run is a stretch of the chunk that the canonicalization outputs exactly as it is, so it
// is hashed in one piece. It starts with content and ends before the first "stop": for
// simple, a CR that does not end a line the run may cross; for relaxed, also a TAB, a SP
// followed by WSP or CR (a run to squeeze or drop, §3.4.4 a, b). A run may cross "CRLF" when
// an octet that starts content follows (not CR, nor for relaxed WSP): the line before had
// content, and the next one is not empty. So a run never ends with a CRLF or a SP, and after
// Content(run) the current line has content. Deciding a stop needs the two octets after it;
// the last two octets of a chunk are decided by LastRunEnd().

// The stop test for chunk[k]. REQUIRES: k + 2 < n.
template <bool kRelaxed>
bool IsStop(const char* p, size_t k) {
  const char c = p[k];
  if (c == '\r') {
    const bool crosses = p[k + 1] == '\n' && p[k + 2] != '\r' && !(kRelaxed && IsWsp(p[k + 2]));
    return !crosses;
  }
  if (!kRelaxed) return false;
  return c == '\t' || (c == ' ' && (IsWsp(p[k + 1]) || p[k + 1] == '\r'));
}

// The first stop in [i, limit), or limit. REQUIRES: limit + 2 <= n.
template <bool kRelaxed>
size_t NextStop(const char* p, size_t i, size_t limit) {
#if defined(__SSE2__)
  // Sixteen octets at a time: this scan is most of what canonicalization costs beyond SHA-256.
  const __m128i cr = _mm_set1_epi8('\r');
  const __m128i lf = _mm_set1_epi8('\n');
  const __m128i tab = _mm_set1_epi8('\t');
  const __m128i sp = _mm_set1_epi8(' ');
  for (; i + 16 <= limit; i += 16) {
    const __m128i x0 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    const __m128i x1 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i + 1));
    const __m128i x2 = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i + 2));
    __m128i no_line_start = _mm_cmpeq_epi8(x2, cr);  // what may not follow a crossed CRLF
    if constexpr (kRelaxed) {
      no_line_start = _mm_or_si128(no_line_start,
                                   _mm_or_si128(_mm_cmpeq_epi8(x2, sp), _mm_cmpeq_epi8(x2, tab)));
    }
    const __m128i crosses = _mm_andnot_si128(no_line_start, _mm_cmpeq_epi8(x1, lf));
    __m128i stop = _mm_andnot_si128(crosses, _mm_cmpeq_epi8(x0, cr));
    if constexpr (kRelaxed) {
      const __m128i next_wsp_or_cr = _mm_or_si128(
          _mm_or_si128(_mm_cmpeq_epi8(x1, sp), _mm_cmpeq_epi8(x1, tab)), _mm_cmpeq_epi8(x1, cr));
      stop = _mm_or_si128(_mm_or_si128(stop, _mm_cmpeq_epi8(x0, tab)),
                          _mm_and_si128(_mm_cmpeq_epi8(x0, sp), next_wsp_or_cr));
    }
    if (const int bits = _mm_movemask_epi8(stop); bits != 0) {
      return i + static_cast<size_t>(__builtin_ctz(static_cast<unsigned>(bits)));
    }
  }
#endif
  for (; i < limit; ++i) {
    if (IsStop<kRelaxed>(p, i)) return i;
  }
  return limit;
}

// Where a run reaching the last two octets of the chunk ends: before a CR (its LF and the
// next line are not here yet) or, for relaxed, before WSP whose fate depends on what follows.
template <bool kRelaxed>
size_t LastRunEnd(std::string_view chunk, size_t k) {
  const size_t n = chunk.size();
  for (; k < n; ++k) {
    const char c = chunk[k];
    if (c == '\r' || (kRelaxed && c == '\t')) return k;
    if (kRelaxed && c == ' ' && (k + 1 == n || IsWsp(chunk[k + 1]) || chunk[k + 1] == '\r')) {
      return k;
    }
  }
  return n;
}

// REQUIRES: chunk[i] starts content.
template <bool kRelaxed>
size_t RunEnd(std::string_view chunk, size_t i) {
  const size_t n = chunk.size();
  const size_t safe = n < 2 ? 0 : n - 2;  // stops before here are decided from the chunk
  const size_t j = i + 1 < safe ? NextStop<kRelaxed>(chunk.data(), i + 1, safe) : safe;
  if (j < safe) return j;
  return LastRunEnd<kRelaxed>(chunk, std::max(i + 1, safe));
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
    size_t j = relaxed ? RunEnd<true>(chunk, i) : RunEnd<false>(chunk, i);
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
  // Long runs go to the digest straight from the chunk; short pieces are batched, since a
  // digest update costs about as much as copying a few hundred octets.
  if (bytes.size() >= kDirectUpdateBytes) {
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
