#include "dns/zone_resolver.h"

#include <ldns/ldns.h>

#include <memory>

namespace kenin::dns {
namespace {

struct RrDeleter {
  void operator()(ldns_rr* rr) const { ldns_rr_free(rr); }
};
struct RdfDeleter {
  void operator()(ldns_rdf* rdf) const { ldns_rdf_deep_free(rdf); }
};
using RrPtr = std::unique_ptr<ldns_rr, RrDeleter>;

std::string OwnerName(const ldns_rr* rr) {
  char* text = ldns_rdf2str(ldns_rr_owner(rr));
  std::string name = text ? text : "";
  free(text);
  return NormalizeName(name);
}

// TXT rdata is a sequence of <character-string>s: a length octet, then that many octets.
Record TxtRecord(const ldns_rr* rr) {
  Record record;
  record.ttl = ldns_rr_ttl(rr);
  for (size_t i = 0; i < ldns_rr_rd_count(rr); ++i) {
    const ldns_rdf* rdf = ldns_rr_rdf(rr, i);
    const uint8_t* data = ldns_rdf_data(rdf);
    size_t size = ldns_rdf_size(rdf);
    if (size == 0) continue;
    size_t length = std::min<size_t>(data[0], size - 1);
    record.strings.emplace_back(reinterpret_cast<const char*>(data + 1), length);
  }
  return record;
}

// Other types: the presentation form of the rdata (an address, a target name).
Record TextRecord(const ldns_rr* rr) {
  Record record;
  record.ttl = ldns_rr_ttl(rr);
  std::string joined;
  for (size_t i = 0; i < ldns_rr_rd_count(rr); ++i) {
    char* text = ldns_rdf2str(ldns_rr_rdf(rr, i));
    if (!joined.empty()) joined += ' ';
    joined += text ? text : "";
    free(text);
  }
  record.strings.push_back(std::move(joined));
  return record;
}

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
    std::string owner = OwnerName(rr.get());
    Record record = type == static_cast<uint16_t>(RecordType::kTxt) ? TxtRecord(rr.get())
                                                                     : TextRecord(rr.get());
    records_[Key{owner, type}].push_back(std::move(record));
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
  Answer answer;
  for (int hop = 0; hop <= kMaxCnameHops; ++hop) {
    if (auto it = records_.find(Key{name, static_cast<uint16_t>(question.type)});
        it != records_.end()) {
      answer.records = it->second;
      answer.ttl = answer.records.front().ttl;
      return answer;
    }
    auto cname = records_.find(Key{name, kCnameType});
    if (cname == records_.end()) break;
    name = NormalizeName(cname->second.front().strings.front());
  }
  if (!names_.contains(name)) answer.rcode = Rcode::kNxDomain;
  answer.ttl = 300;  // files carry no SOA; a fixed negative TTL
  return answer;
}

}  // namespace kenin::dns
