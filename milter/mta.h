// What kenind asks of the MTA during one milter callback, behind an interface so the
// message logic runs in unit tests without libmilter (callbacks.cc implements it over
// SMFICTX). Calls return false when the MTA refused or the action was not negotiated.
// One object per callback invocation; not shared between threads.
#pragma once

#include <optional>
#include <string>

namespace kenin::milter {

class Mta {
 public:
  virtual ~Mta() = default;
  // A macro the MTA sent ("i": the queue id); nullopt when it did not send it.
  virtual std::optional<std::string> Macro(const std::string& name) = 0;
  // smfi_insheader: 0 puts the field on top.
  virtual bool InsertHeader(int index, const std::string& name, const std::string& value) = 0;
  // smfi_chgheader with no value: deletes the index-th field of that name (1-based).
  virtual bool DeleteHeader(const std::string& name, int index) = 0;
  // smfi_setreply: the SMTP reply a following reject uses.
  virtual bool SetReply(const std::string& code, const std::string& enhanced,
                        const std::string& text) = 0;
  virtual bool Quarantine(const std::string& reason) = 0;
};

// What a callback tells the MTA, independent of libmilter's sfsistat.
enum class Decision { kContinue, kAccept, kReject, kTempFail };

}  // namespace kenin::milter
