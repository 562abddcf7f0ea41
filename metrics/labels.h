// The bounded values of kenin's metric labels (SPEC §7: never a domain name). Every series
// is created for every value at start, so each exists at 0 before its first event and
// rate() and the dashboards see it. The label values are RFC 8601 result tokens and kenind's
// action names, given as text: metrics/ knows nothing of the verifier's or policy's types.
// Immutable once built; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kenin::metrics {

class LabelSet {
 public:
  // `fallback`: a value of `values` that stands for any text not among them (e.g. "other"
  // for an unknown DKIM a=); empty: unknown text has no index.
  LabelSet(std::string name, std::vector<std::string> values, std::string_view fallback = "");

  const std::string& name() const { return name_; }
  size_t size() const { return values_.size(); }
  const std::string& value(size_t index) const { return values_[index]; }
  const std::vector<std::string>& values() const { return values_; }

  // The index of `text` (ASCII case-insensitive), else the fallback's, else nullopt.
  std::optional<size_t> Find(std::string_view text) const;

 private:
  std::string name_;
  std::vector<std::string> values_;
  std::optional<size_t> fallback_;
};

// kenin_messages_total{action}: accept reject quarantine tempfail skip.
const LabelSet& ActionLabel();
// kenin_dkim_signatures_total{result}: the RFC 8601 §2.7.1 dkim= tokens.
const LabelSet& DkimResultLabel();
// kenin_dkim_signatures_total{algorithm}: rsa-sha256 ed25519-sha256 rsa-sha1 other (any
// other a= value, or none: a= is message text, so it is never a label as written).
const LabelSet& DkimAlgorithmLabel();
// kenin_spf_results_total{result}: the RFC 8601 §2.7.2 spf= tokens.
const LabelSet& SpfResultLabel();
// kenin_dmarc_results_total{result}: the dmarc= tokens.
const LabelSet& DmarcResultLabel();
// kenin_dmarc_results_total{disposition}: none quarantine reject.
const LabelSet& DispositionLabel();
// kenin_arc_results_total{result}: the RFC 8617 §10.1 arc= tokens (issue 9).
const LabelSet& ArcResultLabel();

}  // namespace kenin::metrics
