// A zone in memory for a unit test, from master-file text. Header-only; tests only.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string_view>

#include "dns/zone_resolver.h"

namespace kenin::testzone {

// The zone `text` describes. A parse error fails the running test and yields an empty zone,
// so the test goes on to report what then goes wrong instead of crashing.
inline std::unique_ptr<dns::ZoneResolver> ZoneFromText(std::string_view text,
                                                       std::string_view label) {
  auto loaded = dns::ZoneResolver::FromText(text, label);
  if (!loaded) ADD_FAILURE() << loaded.error().detail;
  return std::make_unique<dns::ZoneResolver>(loaded ? std::move(*loaded) : dns::ZoneResolver());
}

}  // namespace kenin::testzone
