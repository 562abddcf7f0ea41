#include "tests/unit/arc/arc_test_sealer.h"

#include <algorithm>

#include "verifier/base64.h"
#include "verifier/body_hasher.h"
#include "verifier/digest.h"
#include "verifier/header_hash.h"
#include "verifier/signer.h"

namespace kenin::arc::testing {
namespace {

std::string AlgorithmName(verifier::Algorithm algorithm) {
  return algorithm == verifier::Algorithm::kEd25519Sha256 ? "ed25519-sha256" : "rsa-sha256";
}

std::string Sign(const SealOptions& options, std::string_view data) {
  std::string digest = verifier::HashBytes(verifier::HashOf(options.algorithm), data);
  auto signature = verifier::SignDigest(options.key, options.algorithm, digest);
  return signature ? verifier::EncodeBase64(*signature) : "signing-failed";
}

}  // namespace

SealedMessage::SealedMessage()
    : header_({{"From", " Alice <alice@sender.example>"},
               {"To", " list@forwarder.example"},
               {"Subject", " ARC test"},
               {"Date", " Tue, 14 Nov 2023 22:13:20 +0000"}}),
      body_("Hello,\r\nthis message is forwarded.\r\n") {}

void SealedMessage::AddHeaderOnTop(std::string name, std::string value) {
  header_.insert(header_.begin(), {std::move(name), std::move(value)});
}

void SealedMessage::ReplaceInField(const std::string& name, const std::string& find,
                                   const std::string& with) {
  for (verifier::HeaderField& field : header_) {
    size_t at = field.value.find(find);
    if (field.name != name || at == std::string::npos) continue;
    const std::string before = field.value;
    field.value.replace(at, find.size(), with);
    // A later Seal() signs the fields as they are now.
    for (WrittenSet& set : sets_) {
      for (auto* written : {&set.auth_results, &set.message_signature, &set.seal}) {
        if (*written && (*written)->name == name && (*written)->value == before) {
          (*written)->value = field.value;
        }
      }
    }
    return;
  }
}

void SealedMessage::Seal(const SealOptions& options) {
  int highest = 0;
  for (const WrittenSet& set : sets_) highest = std::max(highest, set.instance);
  const int instance = options.instance.value_or(highest + 1);
  const std::string i = std::to_string(instance);
  const std::string t = std::to_string(options.timestamp);
  WrittenSet written{instance, std::nullopt, std::nullopt, std::nullopt};

  if (options.write_auth_results) {
    written.auth_results = verifier::HeaderField{"ARC-Authentication-Results",
                                                 " i=" + i + "; " + options.auth_results};
    AddHeaderOnTop(written.auth_results->name, written.auth_results->value);
  }
  if (options.write_message_signature) {
    verifier::BodyHasher hasher(verifier::Canonicalization::kRelaxed,
                                verifier::HashOf(options.algorithm), std::nullopt);
    hasher.Update(body_);
    std::string value = " i=" + i + "; a=" + AlgorithmName(options.algorithm) +
                        "; c=relaxed/relaxed; d=" + options.domain + "; s=" + options.selector +
                        "; t=" + t + ";\r\n\th=" + options.signed_headers + "; " +
                        options.ams_extra_tags + "bh=" + verifier::EncodeBase64(hasher.Finish()) +
                        "; b=";
    std::vector<std::string> names = verifier::SplitColonList(options.signed_headers);
    std::string data = verifier::CanonicalHeaderData(
        header_, names, verifier::Canonicalization::kRelaxed, "ARC-Message-Signature", value);
    value += Sign(options, data);
    written.message_signature = verifier::HeaderField{"ARC-Message-Signature", value};
    AddHeaderOnTop(written.message_signature->name, value);
  }
  if (options.write_seal) {
    const std::string cv = options.cv.value_or(instance == 1 ? "none" : "pass");
    std::string value = " i=" + i + "; a=" + AlgorithmName(options.algorithm) + "; cv=" + cv +
                        "; d=" + options.domain + "; s=" + options.selector + "; t=" + t + "; " +
                        options.seal_extra_tags + "b=";
    // RFC 8617 §5.1.1, written out on its own: every earlier set in increasing instance
    // order as AAR, AMS, AS; then this set's AAR, AMS and this seal without b= and CRLF.
    std::vector<const WrittenSet*> earlier;
    for (const WrittenSet& set : sets_) earlier.push_back(&set);
    std::sort(earlier.begin(), earlier.end(),
              [](const WrittenSet* a, const WrittenSet* b) { return a->instance < b->instance; });
    std::string data;
    auto add = [&data](const std::optional<verifier::HeaderField>& field) {
      if (field) {
        verifier::AppendCanonicalHeader(verifier::Canonicalization::kRelaxed, field->name,
                                        field->value, data);
      }
    };
    for (const WrittenSet* set : earlier) {
      add(set->auth_results);
      add(set->message_signature);
      add(set->seal);
    }
    add(written.auth_results);
    add(written.message_signature);
    add(verifier::HeaderField{"ARC-Seal", value});
    data.resize(data.size() - 2);
    value += Sign(options, data);
    written.seal = verifier::HeaderField{"ARC-Seal", value};
    AddHeaderOnTop(written.seal->name, value);
  }
  sets_.push_back(std::move(written));
}

std::string SealedMessage::Text() const {
  std::string text;
  for (const verifier::HeaderField& field : header_) {
    text += field.name + ":" + field.value + "\r\n";
  }
  return text + "\r\n" + body_;
}

}  // namespace kenin::arc::testing
