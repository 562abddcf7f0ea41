// The verification floor: the work no DKIM verifier can avoid on a message with this
// libcrypto, with everything else done before timing. Per message, SHA-256 over each distinct
// canonical body once (signatures with the same body canonicalization and l= share it), and
// per signature SHA-256 over its canonical header data plus one public-key verify, with keys
// decoded and verify contexts set up once per key, as `openssl speed` counts them.
// Not thread-safe; one engine per benchmark thread.
#pragma once

#include <openssl/evp.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "bench/corpus.h"
#include "dns/resolver.h"

namespace kenin::bench {

struct FloorSignature {
  size_t key = 0;  // FloorEngine slot
  bool ed25519 = false;
  std::string header_data;  // RFC 6376 §3.7: the canonical header data b= signs
  std::string signature;    // b=, decoded
};

// What the floor needs of one message, extracted before timing.
struct FloorMessage {
  std::vector<std::string> bodies;  // canonical bodies (cut to l=), one per distinct hash
  std::vector<FloorSignature> signatures;
};

class FloorEngine {
 public:
  // Keys come from `zone` (looked up and decoded once each, when first needed).
  // `zone` must outlive the engine.
  explicit FloorEngine(dns::Resolver& zone);
  ~FloorEngine();

  // Every DKIM-Signature of `message`, checked here to pass (body hash and signature), so a
  // floor never counts work on a message that would fail. Aborts the process if one does not.
  FloorMessage Prepare(const CorpusMessage& message);

  // REQUIRES: `m` from this engine's Prepare(). True when every signature verifies.
  bool Run(const FloorMessage& m);
  // Every message, in order; true when every signature of every one verifies.
  bool RunAll(const std::vector<FloorMessage>& messages);

 private:
  struct Key;
  size_t KeySlot(const std::string& name);
  void Sha256(std::string_view bytes, unsigned char* out);

  dns::Resolver& zone_;
  std::unique_ptr<EVP_MD, decltype(&EVP_MD_free)> sha256_;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md_;
  std::vector<std::unique_ptr<Key>> keys_;
  std::map<std::string, size_t> slots_;  // key name -> index in keys_
};

}  // namespace kenin::bench
