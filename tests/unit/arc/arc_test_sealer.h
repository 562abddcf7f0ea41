// Builds ARC-sealed messages for the ARC tests, the way a sealer does (RFC 8617 §5.1): each
// Seal() puts a complete ARC Set on top of the header. The AMS is signed with the verifier's
// header-hash code (what DKIM signing uses), but the ARC-Seal's signed data is assembled
// here independently of arc/seal_hash.h from the sets as this builder wrote them, so a
// verifier that picks or orders the seal's fields wrongly fails these tests. Options let a
// test write a wrong instance, cv=, an extra tag, or skip a field. Not thread-safe.
#pragma once

#include <openssl/evp.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "verifier/canonicalize.h"
#include "verifier/signature.h"

namespace kenin::arc::testing {

struct SealOptions {
  EVP_PKEY* key = nullptr;  // signs both AMS and AS
  verifier::Algorithm algorithm = verifier::Algorithm::kRsaSha256;
  std::string domain = "forwarder.example";
  std::string selector = "arc";
  std::optional<int> instance;    // default: one above the highest set so far
  std::optional<std::string> cv;  // default: none for instance 1, pass above
  std::string auth_results = "mx.forwarder.example; spf=pass smtp.mailfrom=sender.example";
  std::string signed_headers = "from:to:subject:date";  // AMS h=
  std::string ams_extra_tags;   // appended to the AMS tag list before b=, e.g. "x=1; "
  std::string seal_extra_tags;  // appended to the AS tag list before b=, e.g. "h=from; "
  uint64_t timestamp = 1700000000;
  bool write_auth_results = true;
  bool write_message_signature = true;
  bool write_seal = true;
};

class SealedMessage {
 public:
  // A plain message: From, To, Subject, Date and a two-line body.
  SealedMessage();

  // Adds one ARC Set on top (AS, AMS, AAR from the top down).
  void Seal(const SealOptions& options);
  // Adds a field on top, or changes the body: a hop that modifies the message.
  void AddHeaderOnTop(std::string name, std::string value);
  void set_body(std::string body) { body_ = std::move(body); }
  // Replaces the first field named `name` whose value contains `find` (test tampering).
  void ReplaceInField(const std::string& name, const std::string& find, const std::string& with);

  const std::vector<verifier::HeaderField>& header() const { return header_; }
  const std::string& body() const { return body_; }
  std::string Text() const;  // the whole message, CRLF line ends

 private:
  struct WrittenSet {
    int instance;
    std::optional<verifier::HeaderField> auth_results, message_signature, seal;
  };

  std::vector<verifier::HeaderField> header_;  // top first
  std::string body_;
  std::vector<WrittenSet> sets_;  // as written, oldest first
};

}  // namespace kenin::arc::testing
