#include "tools/sign_command.h"

#include <vector>

#include "tools/message_parser.h"

namespace kenin::tools {
namespace {

bool ParseCanon(std::string_view text, verifier::Canonicalization& canon) {
  if (text == "simple") {
    canon = verifier::Canonicalization::kSimple;
  } else if (text == "relaxed") {
    canon = verifier::Canonicalization::kRelaxed;
  } else {
    return false;
  }
  return true;
}

}  // namespace

bool ParseCanonicalizationPair(std::string_view text, verifier::SignRequest& request) {
  size_t slash = text.find('/');
  if (!ParseCanon(text.substr(0, slash), request.header_canon)) return false;
  request.body_canon = verifier::Canonicalization::kSimple;  // RFC 6376 §3.5 c= default
  return slash == std::string_view::npos || ParseCanon(text.substr(slash + 1), request.body_canon);
}

bool ParseAlgorithmName(std::string_view text, verifier::Algorithm& algorithm) {
  if (text == "rsa-sha256") {
    algorithm = verifier::Algorithm::kRsaSha256;
  } else if (text == "ed25519-sha256") {
    algorithm = verifier::Algorithm::kEd25519Sha256;
  } else if (text == "rsa-sha1") {
    algorithm = verifier::Algorithm::kRsaSha1;
  } else {
    return false;
  }
  return true;
}

bool SignStream(std::istream& in, const verifier::SignRequest& request, EVP_PKEY* private_key,
                std::ostream& out, std::ostream& err) {
  std::vector<verifier::HeaderField> headers;
  std::string body;
  MessageParser parser({
      .on_header = [&](std::string_view name, std::string_view value) {
        headers.push_back({std::string(name), std::string(value)});
      },
      .on_end_of_headers = [] {},
      .on_body = [&](std::string_view chunk) { body.append(chunk); },
  });
  std::string buffer(64 * 1024, '\0');
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    parser.Feed(std::string_view(buffer.data(), static_cast<size_t>(in.gcount())));
  }
  parser.Finish();
  auto value = verifier::SignMessage(request, private_key, headers, body);
  if (!value) {
    err << "kenin sign: " << value.error().detail << "\n";
    return false;
  }
  out << "DKIM-Signature:" << *value << "\r\n";
  for (const verifier::HeaderField& field : headers) out << field.name << ':' << field.value << "\r\n";
  out << "\r\n" << body;
  return static_cast<bool>(out);
}

}  // namespace kenin::tools
