#include "tools/verify_json.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <nlohmann/json.hpp>

#include "policy/dmarc.h"
#include "policy/spf.h"

namespace kenin::tools {
namespace {

// True when every octet is printable ASCII other than '"' and '\', which JSON lets stand for
// itself inside a string (RFC 8259 §7). Sixteen octets at a time: a message's JSON line is
// mostly such text, and checking it octet by octet was most of what writing the line cost.
bool IsPlain(std::string_view text) {
  const char* p = text.data();
  const size_t n = text.size();
  size_t i = 0;
#if defined(__SSE2__)
  const __m128i space = _mm_set1_epi8(' ');
  const __m128i del = _mm_set1_epi8(0x7f);
  const __m128i quote = _mm_set1_epi8('"');
  const __m128i backslash = _mm_set1_epi8('\\');
  for (; i + 16 <= n; i += 16) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    // Compared as signed octets, controls (0x00-0x1f) and non-ASCII (0x80-0xff) are below SP.
    const __m128i escaped = _mm_or_si128(
        _mm_or_si128(_mm_cmplt_epi8(x, space), _mm_cmpeq_epi8(x, del)),
        _mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash)));
    if (_mm_movemask_epi8(escaped) != 0) return false;
  }
#endif
  for (; i < n; ++i) {
    const auto u = static_cast<unsigned char>(p[i]);
    if (u < 0x20 || u >= 0x7f || p[i] == '"' || p[i] == '\\') return false;
  }
  return true;
}

// JSON text for a string: plain text (above) stands for itself; anything else (escapes,
// UTF-8, invalid octets) is left to nlohmann::json, so the rare cases read exactly as they
// always have.
void AppendString(std::string_view text, std::string& out) {
  if (IsPlain(text)) {
    out += '"';
    out.append(text);
    out += '"';
    return;
  }
  out += nlohmann::json(std::string(text))
             .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Members are written in key order, as nlohmann::json (a std::map) orders them.
class ObjectWriter {
 public:
  explicit ObjectWriter(std::string& out) : out_(out) { out_ += '{'; }
  ~ObjectWriter() { out_ += '}'; }
  ObjectWriter(const ObjectWriter&) = delete;
  ObjectWriter& operator=(const ObjectWriter&) = delete;

  std::string& Key(std::string_view key) {
    if (!first_) out_ += ',';
    first_ = false;
    AppendString(key, out_);
    out_ += ':';
    return out_;
  }
  void String(std::string_view key, std::string_view value) { AppendString(value, Key(key)); }
  void Bool(std::string_view key, bool value) { Key(key) += value ? "true" : "false"; }
  void Unsigned(std::string_view key, unsigned value) { Key(key) += std::to_string(value); }
  void Int(std::string_view key, int value) { Key(key) += std::to_string(value); }
  void Null(std::string_view key) { Key(key) += "null"; }

 private:
  std::string& out_;
  bool first_ = true;
};

void AppendDkim(const std::vector<verifier::DkimVerdict>& verdicts, std::string& out) {
  out += '[';
  for (size_t i = 0; i < verdicts.size(); ++i) {
    const verifier::DkimVerdict& v = verdicts[i];
    if (i > 0) out += ',';
    ObjectWriter o(out);
    o.String("algorithm", v.ids.algorithm);
    o.Bool("body_truncated", v.body_truncated);
    // The key answer's AD bit, only when trusted (--trust-ad, [dns] trust_ad): "secure" or
    // "unsigned"; "unknown" without a trusted AD bit or without a key answer.
    o.String("dnssec", !v.key_dnssec ? "unknown" : *v.key_dnssec ? "secure" : "unsigned");
    o.String("domain", v.ids.domain);
    o.String("identity", v.ids.identity);
    o.Unsigned("key_bits", v.ids.key_bits);
    o.String("reason", v.reason);
    o.String("result", verifier::ToToken(v.result));
    o.String("selector", v.ids.selector);
    o.Bool("testing", v.key_testing);
  }
  out += ']';
}

// RFC 8617: the chain's result as in the header, and what a reader of the JSON wants beside
// it. oldest_pass is null when not determined; override says whether this chain's sealer
// turned a DMARC fail into disposition none (policy/arc_override.h).
void AppendArc(const arc::ArcVerdict& v, bool dmarc_override, std::string& out) {
  ObjectWriter o(out);
  o.Int("instances", v.instances);
  if (v.oldest_pass) {
    o.Int("oldest_pass", *v.oldest_pass);
  } else {
    o.Null("oldest_pass");
  }
  o.Bool("override", dmarc_override);
  o.String("reason", v.reason);
  o.String("remote_ip", v.remote_ip);
  o.String("result", arc::ToToken(v.result));
  o.String("sealer", v.sealer());
}

}  // namespace

void AppendReportJson(std::string_view file, const policy::SessionReport& report,
                      std::string& out) {
  ObjectWriter o(out);
  if (report.arc) AppendArc(*report.arc, !report.dmarc_arc_override.empty(), o.Key("arc"));
  o.String("authentication_results", report.authentication_results);
  AppendDkim(report.dkim, o.Key("dkim"));
  if (report.dmarc) {
    const policy::DmarcVerdict& d = *report.dmarc;
    ObjectWriter dmarc(o.Key("dmarc"));
    dmarc.String("disposition", policy::ToToken(d.disposition));
    dmarc.String("from_domain", d.from_domain);
    dmarc.String("policy", d.policy ? policy::ToToken(*d.policy) : "none");
    dmarc.String("reason", d.reason);
    dmarc.String("result", policy::ToToken(d.result));
  }
  o.String("file", file);
  // Doubles as nlohmann::json prints them (shortest round trip, "-3.0" for integral values).
  o.Key("score") += nlohmann::json(report.score).dump();
  if (report.spf) {
    ObjectWriter spf(o.Key("spf"));
    spf.String("domain", report.spf->domain);
    spf.String("identity", report.spf->identity);
    spf.String("reason", report.spf->reason);
    spf.String("result", policy::ToToken(report.spf->result));
  }
}

}  // namespace kenin::tools
