// Test-only dns::Resolver over one scenario's `zonedata` from the openspf/pyspf SPF suite
// (../shared/conformance/spf/README.md, "Zone data"): TIMEOUT entries time out unless a
// record of the asked type comes first, "TYPE: NONE" marks a type as present but empty,
// SPF-type records are also served as TXT unless the name lists TXT itself, names absent
// from the data are NXDOMAIN (those starting "error." time out), CNAMEs are followed and a
// CNAME loop is SERVFAIL. Answers are ready at once. Not thread-safe (counts lookups).
#pragma once

#include <yaml-cpp/yaml.h>

#include <map>
#include <string>
#include <vector>

#include "dns/resolver.h"

namespace kenin::testing {

class SpfYamlZone : public dns::Resolver {
 public:
  explicit SpfYamlZone(const YAML::Node& zonedata);

  dns::AnswerFuture Lookup(const dns::Question& question) override;

  int lookups() const { return lookups_; }

 private:
  struct Entry {
    std::string type;                  // "A", "TXT", "SPF", "MX", ...; empty for TIMEOUT
    std::vector<std::string> strings;  // TXT/SPF: the character-strings; others: one value
    bool timeout = false;              // a bare TIMEOUT, or TYPE: TIMEOUT
    bool none = false;                 // TYPE: NONE
  };

  dns::Result<dns::Answer> Resolve(const std::string& name, const std::string& type, int depth);

  std::map<std::string, std::vector<Entry>> names_;  // lower-case name, no trailing dot
  int lookups_ = 0;
};

}  // namespace kenin::testing
