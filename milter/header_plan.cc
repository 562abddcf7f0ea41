#include "milter/header_plan.h"

#include <algorithm>
#include <cstdio>
#include <functional>

namespace kenin::milter {

void PlanDeletions(const std::string& name, std::vector<int> indexes, HeaderPlan& plan) {
  std::sort(indexes.begin(), indexes.end(), std::greater<>());
  indexes.erase(std::unique(indexes.begin(), indexes.end()), indexes.end());
  for (int index : indexes) plan.deletions.emplace_back(name, index);
}

bool Apply(const HeaderPlan& plan, Mta& mta) {
  bool ok = true;
  for (const auto& [name, index] : plan.deletions) ok = mta.DeleteHeader(name, index) && ok;
  for (const auto& [name, value] : plan.insertions) ok = mta.InsertHeader(0, name, value) && ok;
  return ok;
}

std::string FormatScore(double score) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.2f", score);
  std::string out = text;
  if (out == "-0.00") out = "0.00";
  // Trailing zeros go, but one decimal stays: "-3.00" -> "-3.0", "0.25" stays.
  while (out.size() > 1 && out.back() == '0' && out[out.size() - 2] != '.') out.pop_back();
  return out;
}

}  // namespace kenin::milter
