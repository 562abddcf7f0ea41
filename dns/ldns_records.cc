#include "dns/ldns_records.h"

#include <algorithm>
#include <cstdlib>

namespace kenin::dns {
namespace {

std::string RdfText(const ldns_rdf* rdf) {
  char* text = ldns_rdf2str(rdf);
  std::string out = text ? text : "";
  std::free(text);
  return out;
}

}  // namespace

std::string NameOf(const ldns_rdf* rdf) { return NormalizeName(RdfText(rdf)); }

std::string ShownName(std::string_view name) {
  if (name.size() <= kMaxShownName) return std::string(name);
  return std::string(name.substr(0, kMaxShownName)) + "...";
}

Record ToRecord(const ldns_rr* rr) {
  Record record;
  record.ttl = ldns_rr_ttl(rr);
  if (ldns_rr_get_type(rr) == LDNS_RR_TYPE_TXT) {
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
  std::string joined;
  for (size_t i = 0; i < ldns_rr_rd_count(rr); ++i) {
    if (!joined.empty()) joined += ' ';
    joined += RdfText(ldns_rr_rdf(rr, i));
  }
  record.strings.push_back(std::move(joined));
  return record;
}

}  // namespace kenin::dns
