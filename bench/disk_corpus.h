// Reads a make_corpus directory back for in-memory benchmarks: every m<digits>.eml, in name
// order, split into header fields and body by tools::MessageParser (as `kenin verify` splits
// a file), plus the paths of the zone and key files beside them.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "bench/corpus.h"

namespace kenin::bench {

struct DiskCorpus {
  std::vector<CorpusMessage> messages;  // alg is not known from a file: left at its default
  std::string zone_path;                // DIR/zone.txt
  std::string key_path;                 // DIR/keys.txt
  size_t bytes = 0;                     // all message files together
};

// nullopt, with `error` set, when the directory holds no messages or a file cannot be read.
std::optional<DiskCorpus> LoadDiskCorpus(const std::string& dir, std::string& error);

}  // namespace kenin::bench
