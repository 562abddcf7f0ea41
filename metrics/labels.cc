#include "metrics/labels.h"

#include <algorithm>
#include <cctype>

namespace kenin::metrics {
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

LabelSet::LabelSet(std::string name, std::vector<std::string> values, std::string_view fallback)
    : name_(std::move(name)), values_(std::move(values)) {
  if (!fallback.empty()) fallback_ = Find(fallback);
}

std::optional<size_t> LabelSet::Find(std::string_view text) const {
  for (size_t i = 0; i < values_.size(); ++i) {
    if (EqualsIgnoreCase(values_[i], text)) return i;
  }
  return fallback_;
}

const LabelSet& ActionLabel() {
  static const LabelSet kSet("action", {"accept", "reject", "quarantine", "tempfail", "skip"});
  return kSet;
}

const LabelSet& DkimResultLabel() {
  static const LabelSet kSet(
      "result", {"pass", "fail", "neutral", "policy", "temperror", "permerror", "none"});
  return kSet;
}

const LabelSet& DkimAlgorithmLabel() {
  static const LabelSet kSet("algorithm", {"rsa-sha256", "ed25519-sha256", "rsa-sha1", "other"},
                             "other");
  return kSet;
}

const LabelSet& SpfResultLabel() {
  static const LabelSet kSet(
      "result", {"pass", "fail", "softfail", "neutral", "none", "temperror", "permerror"});
  return kSet;
}

const LabelSet& DmarcResultLabel() {
  static const LabelSet kSet("result", {"pass", "fail", "none", "temperror", "permerror"});
  return kSet;
}

const LabelSet& ArcResultLabel() {
  static const LabelSet kSet("result", {"pass", "fail", "none"});
  return kSet;
}

const LabelSet& DispositionLabel() {
  static const LabelSet kSet("disposition", {"none", "quarantine", "reject"});
  return kSet;
}

}  // namespace kenin::metrics
