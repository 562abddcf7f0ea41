#include "dns/zone_resolver.h"

#include <algorithm>
#include <memory>

#include "dns/ldns_records.h"

namespace kenin::dns {
namespace {

struct RrDeleter {
  void operator()(ldns_rr* rr) const { ldns_rr_free(rr); }
};
using RrPtr = std::unique_ptr<ldns_rr, RrDeleter>;

// ldns reads a record through its newline and counts it, so after a bad record `line` is
// the line after it, unless the file ended without a newline. The stream is abandoned after
// an error, so peeking back at the last octet read costs nothing.
int ErrorLine(std::FILE* file, int line) {
  long end = std::ftell(file);
  if (end <= 0 || std::fseek(file, end - 1, SEEK_SET) != 0) return line;
  return std::fgetc(file) == '\n' ? line - 1 : line;
}

}  // namespace

Result<ZoneResolver> ZoneResolver::FromFiles(const std::vector<std::string>& paths) {
  ZoneResolver zone;
  for (const std::string& path : paths) {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "r"), &std::fclose);
    if (!file) return tl::unexpected(Error{ErrorCode::kTransport, "cannot open zone file " + path});
    if (auto loaded = zone.LoadFile(file.get(), path); !loaded) return tl::unexpected(loaded.error());
  }
  return zone;
}

Result<ZoneResolver> ZoneResolver::FromText(std::string_view text, std::string_view label) {
  std::string copy(text);
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(fmemopen(copy.data(), copy.size(), "r"),
                                                       &std::fclose);
  if (!file) return tl::unexpected(Error{ErrorCode::kTransport, "fmemopen failed"});
  ZoneResolver zone;
  if (auto loaded = zone.LoadFile(file.get(), label); !loaded) return tl::unexpected(loaded.error());
  return zone;
}

Result<void> ZoneResolver::LoadFile(std::FILE* file, std::string_view label) {
  uint32_t default_ttl = 3600;
  ldns_rdf* origin = nullptr;
  ldns_rdf* previous = nullptr;
  int line = 1;
  Result<void> outcome;
  while (!std::feof(file)) {
    ldns_rr* raw = nullptr;
    ldns_status status = ldns_rr_new_frm_fp_l(&raw, file, &default_ttl, &origin, &previous, &line);
    RrPtr rr(raw);
    if (status == LDNS_STATUS_SYNTAX_EMPTY || status == LDNS_STATUS_SYNTAX_TTL ||
        status == LDNS_STATUS_SYNTAX_ORIGIN) {
      continue;
    }
    if (status != LDNS_STATUS_OK) {
      // Trailing comments and blank lines come back as SYNTAX_EMPTY above, so anything else
      // is a bad record, on the last line too.
      std::string where = std::string(label) + ":" + std::to_string(ErrorLine(file, line));
      outcome = tl::unexpected(
          Error{ErrorCode::kBadReply, where + ": " + ldns_get_errorstr_by_id(status)});
      break;
    }
    uint16_t type = static_cast<uint16_t>(ldns_rr_get_type(rr.get()));
    std::string owner = NameOf(ldns_rr_owner(rr.get()));
    Record record = ToRecord(rr.get());
    Answer& answer = answers_[Key{owner, type}];
    answer.ttl = answer.records.empty() ? record.ttl : std::min(answer.ttl, record.ttl);
    answer.records.push_back(std::move(record));
    names_.insert(owner);
    ++record_count_;
  }
  if (origin) ldns_rdf_deep_free(origin);
  if (previous) ldns_rdf_deep_free(previous);
  return outcome;
}

AnswerFuture ZoneResolver::Lookup(const Question& question) { return ReadyAnswer(Resolve(question)); }

Result<Answer> ZoneResolver::Resolve(const Question& question) const {
  std::string name = NormalizeName(question.name);
  for (int hop = 0; hop <= kMaxCnameHops; ++hop) {
    if (auto it = answers_.find(Key{name, static_cast<uint16_t>(question.type)});
        it != answers_.end()) {
      return it->second;  // a copy that shares the memo
    }
    auto cname = answers_.find(Key{name, kCnameType});
    if (cname == answers_.end()) {
      Answer negative;
      if (!names_.contains(name)) negative.rcode = Rcode::kNxDomain;
      negative.ttl = kNegativeTtl;
      return negative;
    }
    name = NormalizeName(cname->second.records.front().strings.front());
  }
  // A resolver answers SERVFAIL for a chain it cannot finish (RFC 1034 §3.6.2 loops).
  return tl::unexpected(Error{ErrorCode::kBadReply, "CNAME chain too long or looping"});
}

}  // namespace kenin::dns
