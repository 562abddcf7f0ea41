#include "tests/conformance/conformance_data.h"

#include <fstream>
#include <sstream>

#include "tools/keys.h"

namespace kenin::testing {
std::vector<std::string> Split(const std::string& line, char separator) {
  std::vector<std::string> fields;
  std::string field;
  std::istringstream in(line);
  while (std::getline(in, field, separator)) fields.push_back(field);
  if (!line.empty() && line.back() == separator) fields.emplace_back();
  return fields;
}

std::string ConformanceDir() { return KENIN_CONFORMANCE_DIR; }

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return std::nullopt;
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

std::vector<Row> ReadTsv(const std::string& path) {
  std::vector<Row> rows;
  std::ifstream file(path);
  std::string line;
  if (!std::getline(file, line)) return rows;
  std::vector<std::string> header = Split(line, '\t');
  while (std::getline(file, line)) {
    if (line.empty()) continue;
    std::vector<std::string> fields = Split(line, '\t');
    Row row;
    for (size_t i = 0; i < header.size(); ++i) row[header[i]] = i < fields.size() ? fields[i] : "";
    rows.push_back(std::move(row));
  }
  return rows;
}

RecordsAndMessage ReadStalwartFile(const std::string& path) {
  RecordsAndMessage out;
  std::string text = ReadFile(path).value_or("");
  size_t split = text.find("\n\n");
  std::istringstream records(text.substr(0, split));
  std::string line;
  while (std::getline(records, line)) {
    size_t space = line.find(' ');
    if (space == std::string::npos) continue;
    std::string name = line.substr(0, space);
    const std::string suffix = "._domainkey.";
    size_t at = name.find(suffix);
    if (at == std::string::npos) continue;
    out.zone_text += tools::ZoneLine(name.substr(0, at), name.substr(at + suffix.size()),
                                     line.substr(space + 1)) + "\n";
  }
  if (split != std::string::npos) out.message = text.substr(split + 2);
  return out;
}

}  // namespace kenin::testing
