// The JSON line `kenin verify --format json` prints per message (SPEC §6), written straight
// into a string: no document tree per message. The bytes are those nlohmann::json's
// dump(-1, ' ', false, error_handler_t::replace) gives for the same object (members in key
// order, no spaces, invalid UTF-8 replaced by U+FFFD), which tools/verify_json_test holds it to.
#pragma once

#include <string>
#include <string_view>

#include "policy/message_session.h"

namespace kenin::tools {

// Appends the object for `report` read from `file`, without a line end.
void AppendReportJson(std::string_view file, const policy::SessionReport& report, std::string& out);

}  // namespace kenin::tools
