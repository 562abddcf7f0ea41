// Answers DNS questions from RFC 1035 master files, parsed with ldns. Used by
// `kenin verify --zone`, the tests and demos: no network. Names absent from every file are
// NXDOMAIN; a name present with other types only is NODATA. CNAMEs in the files are
// followed (up to a small bound), as a recursive resolver would.
// Thread-safety: immutable after construction; Lookup() may be called concurrently.
#pragma once

#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "dns/resolver.h"

namespace kenin::dns {

class ZoneResolver : public Resolver, public BlockingResolver {
 public:
  // Loads every file; an error names the file and line that ldns could not parse.
  static Result<ZoneResolver> FromFiles(const std::vector<std::string>& paths);
  // Loads master-file text directly (tests).
  static Result<ZoneResolver> FromText(std::string_view text, std::string_view origin_label);

  AnswerFuture Lookup(const Question& question) override;
  // The synchronous core of Lookup(). Answers for one name share their memo, so a key
  // parsed once stays parsed for the life of the zone.
  Result<Answer> Resolve(const Question& question) const;
  Result<Answer> Resolve(const Question& question) override {
    return std::as_const(*this).Resolve(question);
  }

  size_t record_count() const { return record_count_; }

 private:
  struct Key {
    std::string name;  // NormalizeName()
    uint16_t type;
    auto operator<=>(const Key&) const = default;
  };
  static constexpr uint16_t kCnameType = 5;
  static constexpr int kMaxCnameHops = 8;
  static constexpr uint32_t kNegativeTtl = 300;  // files carry no SOA: a fixed negative TTL

  Result<void> LoadFile(std::FILE* file, std::string_view label);

  std::map<Key, Answer> answers_;
  std::set<std::string> names_;  // every owner name, for NXDOMAIN vs NODATA
  size_t record_count_ = 0;
};

}  // namespace kenin::dns
