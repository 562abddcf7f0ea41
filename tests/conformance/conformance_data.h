// Readers for the public conformance data in ../shared/conformance (never copied into the
// repo): TSV manifests and stalwart's "records, blank line, message" files.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace kenin::testing {

std::string ConformanceDir();
std::optional<std::string> ReadFile(const std::string& path);

// Fields of `line` between separators; a trailing separator gives a last empty field.
std::vector<std::string> Split(const std::string& line, char separator);

// One manifest row: column name -> value.
using Row = std::map<std::string, std::string>;
std::vector<Row> ReadTsv(const std::string& path);

// stalwart/{dkim,arc}/NNN.txt: "<name> <TXT value>" lines, an empty line, then the message
// with LF line ends. Returns the master-file text for the records and the message.
struct RecordsAndMessage {
  std::string zone_text;
  std::string message;
};
RecordsAndMessage ReadStalwartFile(const std::string& path);

}  // namespace kenin::testing
