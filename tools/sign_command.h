// `kenin sign`: signs one message and writes it, DKIM-Signature on top, with CRLF endings.
#pragma once

#include <istream>
#include <ostream>
#include <string>

#include "verifier/signer.h"

namespace kenin::tools {

// Reads a message from `in`, signs it with `private_key` and writes the signed message.
// Returns false (with a message on `err`) when signing failed.
bool SignStream(std::istream& in, const verifier::SignRequest& request, EVP_PKEY* private_key,
                std::ostream& out, std::ostream& err);

// Parses "simple", "relaxed", "relaxed/simple"… into the request. False on an unknown name.
bool ParseCanonicalizationPair(std::string_view text, verifier::SignRequest& request);
bool ParseAlgorithmName(std::string_view text, verifier::Algorithm& algorithm);

}  // namespace kenin::tools
