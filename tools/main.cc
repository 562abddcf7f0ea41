// kenin: the command-line tool (SPEC §6). Subcommands: verify, keycheck, keygen, sign.
// Exit codes: 0 done, 1 I/O error (keycheck: key unusable), 2 usage error.
#include <malloc.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include <CLI/CLI.hpp>

#include "policy/auth_results.h"
#include "policy/public_suffix.h"
#include "tools/keycheck_command.h"
#include "tools/keys.h"
#include "tools/resolver_setup.h"
#include "tools/sign_command.h"
#include "tools/verify_command.h"

namespace {

using namespace kenin;

constexpr int kExitIo = 1;
constexpr int kExitUsage = 2;

std::optional<std::string> ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return std::nullopt;
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

void AddResolverFlags(CLI::App& command, tools::ResolverFlags& flags) {
  command.add_option("--zone", flags.zone_files, "Answer DNS from this RFC 1035 master file")
      ->check(CLI::ExistingFile)->expected(1)->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  command.add_option("--resolver", flags.servers, "Nameserver IP[:PORT] (default: /etc/resolv.conf)")
      ->expected(1)->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  command.add_option("--dns-timeout-ms", flags.timeout_ms, "Wait per DNS attempt (default 2000)")
      ->check(CLI::Range(1, 60000));
  command.add_option("--dns-attempts", flags.attempts, "DNS attempts per lookup (default 3)")
      ->check(CLI::Range(1, 10));
  command.add_option("--dns-max-answer-bytes", flags.max_answer_bytes,
                     "Largest DNS answer accepted (default 16384, as kenind)")
      ->check(CLI::Range(512, 65535));  // RFC 1035 §4.2.1: 512 is the UDP minimum
}

std::unique_ptr<tools::ResolverStack> MakeResolver(tools::ResolverFlags flags, std::string_view command) {
  // One thread asks here: the cache's shards, which spread kenind's threads over several
  // locks, would only multiply its tables (and the memory first touched for them).
  flags.cache.shards = 1;
  auto stack = tools::ResolverStack::Create(flags);
  if (!stack) {
    std::cerr << "kenin " << command << ": " << stack.error().detail << "\n";
    return nullptr;
  }
  return std::move(*stack);
}

// Flags of `kenin verify` that are not options of the verification itself.
struct VerifyFlags {
  tools::ResolverFlags dns;
  int64_t now = -1;
  std::string dmarc_mode = "rfc9989";
  std::string psl_file;
  std::string unsigned_body = "policy";  // as kenind's [dkim] unsigned_body
};

void AddVerify(CLI::App& app, tools::VerifyCommandOptions& options, VerifyFlags& flags) {
  CLI::App* verify = app.add_subcommand("verify", "Verify the DKIM signatures of messages");
  AddResolverFlags(*verify, flags.dns);
  verify->add_option("--authserv-id", options.session.authserv_id, "authserv-id of the header (default: host name)");
  verify->add_option("--ip", options.envelope.client_ip, "SMTP client address: evaluates SPF");
  verify->add_option("--helo", options.envelope.helo, "HELO/EHLO name given by the client");
  verify->add_option("--mail-from", options.envelope.mail_from, "MAIL FROM address (empty: null sender)");
  verify->add_option("--dmarc-mode", flags.dmarc_mode, "rfc9989 (default) or rfc7489 (Public Suffix List, pct)")
      ->check(CLI::IsMember({"rfc9989", "rfc7489"}));
  verify->add_option("--psl", flags.psl_file, "Public Suffix List for --dmarc-mode rfc7489 (default: Debian's)");
  verify->add_option("--format", options.format, "ar (default) or json")->check(CLI::IsMember({"ar", "json"}));
  verify->add_option("--now", flags.now, "Verify as of this Unix time (tests)");
  verify->add_flag("--allow-rsa-sha1", options.session.dkim.signature.allow_rsa_sha1,
                   "Accept rsa-sha1 (RFC 8301 forbids it; for conformance runs only)");
  verify->add_option("--min-rsa-bits", options.session.dkim.key.min_rsa_bits,
                     "Smallest RSA key accepted (default 1024, RFC 8301)");
  verify->add_option("--max-signatures", options.session.dkim.max_signatures, "Signatures evaluated per message (default 8)");
  verify->add_option("--unsigned-body", flags.unsigned_body,
                     "A pass whose l= leaves body unsigned: policy (default) or pass")
      ->check(CLI::IsMember({"policy", "pass"}));
  verify->add_option("--trusted-sealer", options.session.arc.trusted_sealers,
                     "ARC sealer (d=) whose passing chain sets a DMARC failure aside, as kenind's "
                     "[arc] trusted_sealers (repeatable)")
      ->expected(1)->allow_extra_args(false)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  verify->add_flag("--trust-ad", options.session.dkim_policy.trust_ad,
                   "Believe the resolver's AD bit: report the key's DNSSEC status (trusted path only)");
  verify->add_option("files", options.inputs, "Message files; - or none for stdin");
}

int RunVerify(tools::VerifyCommandOptions& options, const VerifyFlags& flags) {
  if (options.session.authserv_id.empty()) options.session.authserv_id = policy::DefaultAuthservId();
  if (flags.now >= 0) options.now = flags.now;
  options.session.dkim_policy.unsigned_body =
      flags.unsigned_body == "pass" ? policy::UnsignedBody::kPass : policy::UnsignedBody::kPolicy;
  std::unique_ptr<policy::PublicSuffixList> psl;
  if (flags.dmarc_mode == "rfc7489") {
    psl = flags.psl_file.empty() ? policy::PublicSuffixList::System()
                                 : policy::PublicSuffixList::Load(flags.psl_file);
    if (!psl) {
      std::cerr << "kenin verify: cannot load the Public Suffix List\n";
      return kExitUsage;
    }
    options.session.dmarc.mode = policy::DmarcMode::kRfc7489;
    options.session.dmarc.public_suffixes = psl.get();
  }
  // Zone files answer in this thread (ResolverStack): no answer can arrive while a body
  // streams, so a DMARC prefetch would only walk the tree twice.
  options.session.prefetch_dmarc = flags.dns.zone_files.empty();
  // Message after message allocates and frees about the same memory. By default glibc hands
  // the top of the heap back to the kernel whenever 128 KiB of it is free, and the next
  // message faults it in again: a brk call and a page fault per 4 KiB, several µs each on a
  // virtual machine (docs/performance.md). A one-shot command keeps what it has had.
  mallopt(M_TRIM_THRESHOLD, 64 << 20);
  auto resolver = MakeResolver(flags.dns, "verify");
  if (!resolver) return kExitUsage;
  return tools::RunVerify(options, resolver->resolver(), std::cout, std::cerr);
}

int RunKeycheck(tools::KeycheckOptions& options, const tools::ResolverFlags& dns) {
  auto resolver = MakeResolver(dns, "keycheck");
  if (!resolver) return kExitUsage;
  return tools::RunKeycheck(options, resolver->resolver(), std::cout) ? 0 : 1;
}

struct KeygenOptions {
  std::string type = "rsa";
  unsigned bits = 2048;
  std::string selector = "default";
  std::string domain = "example.com";
  std::string private_out;
};

int RunKeygen(const KeygenOptions& options) {
  bool ed25519 = options.type == "ed25519";
  if (!ed25519 && (options.bits < 1024 || options.bits > 4096)) {
    std::cerr << "kenin keygen: RSA bits must be 1024..4096\n";
    return kExitUsage;
  }
  auto key = tools::GenerateKey(ed25519 ? tools::KeyKind::kEd25519 : tools::KeyKind::kRsa, options.bits);
  if (!key) {
    std::cerr << "kenin keygen: key generation failed\n";
    return kExitIo;
  }
  std::string path = options.private_out.empty() ? options.selector + ".private.pem" : options.private_out;
  {
    std::ofstream pem(path, std::ios::binary | std::ios::trunc);
    pem << tools::PrivateKeyPem(key->get());
    if (!pem) {
      std::cerr << "kenin keygen: cannot write " << path << "\n";
      return kExitIo;
    }
  }
  std::cout << tools::ZoneLine(options.selector, options.domain, tools::PublicKeyRecord(key->get())) << "\n";
  std::cerr << "kenin keygen: private key written to " << path << "\n";
  return 0;
}

struct SignOptions {
  std::string key_file;
  std::string algorithm = "rsa-sha256";
  std::string canonicalization = "relaxed/relaxed";
  std::string headers;
  std::string input = "-";
  int64_t expire_after = -1;
  int64_t timestamp = -1;
  verifier::SignRequest request;
};

int RunSign(SignOptions& options) {
  if (!tools::ParseAlgorithmName(options.algorithm, options.request.algorithm) ||
      !tools::ParseCanonicalizationPair(options.canonicalization, options.request)) {
    std::cerr << "kenin sign: unknown algorithm or canonicalization\n";
    return kExitUsage;
  }
  for (size_t pos = 0; pos < options.headers.size();) {
    size_t colon = options.headers.find(':', pos);
    if (colon == std::string::npos) colon = options.headers.size();
    if (colon > pos) options.request.signed_headers.push_back(options.headers.substr(pos, colon - pos));
    pos = colon + 1;
  }
  auto pem = ReadFile(options.key_file);
  auto key = pem ? tools::LoadPrivateKey(*pem) : std::nullopt;
  if (!key) {
    std::cerr << "kenin sign: cannot read a private key from " << options.key_file << "\n";
    return kExitIo;
  }
  int64_t t = options.timestamp >= 0 ? options.timestamp : static_cast<int64_t>(time(nullptr));
  options.request.timestamp = static_cast<uint64_t>(t);
  if (options.expire_after >= 0) options.request.expiration = static_cast<uint64_t>(t + options.expire_after);
  bool ok = false;
  if (options.input == "-") {
    ok = tools::SignStream(std::cin, options.request, key->get(), std::cout, std::cerr);
  } else {
    std::ifstream file(options.input, std::ios::binary);
    if (!file) {
      std::cerr << "kenin sign: cannot read " << options.input << "\n";
      return kExitIo;
    }
    ok = tools::SignStream(file, options.request, key->get(), std::cout, std::cerr);
  }
  return ok ? 0 : kExitIo;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"kenin: DKIM verification and key tools"};
  app.require_subcommand(1);

  tools::VerifyCommandOptions verify_options;
  VerifyFlags verify_flags;
  AddVerify(app, verify_options, verify_flags);

  tools::KeycheckOptions keycheck;
  tools::ResolverFlags keycheck_dns;
  CLI::App* keycheck_cmd = app.add_subcommand("keycheck", "Fetch and lint a published DKIM key");
  keycheck_cmd->add_option("selector", keycheck.selector, "Selector")->required();
  keycheck_cmd->add_option("domain", keycheck.domain, "Signing domain")->required();
  keycheck_cmd->add_option("--format", keycheck.format, "text (default) or json")->check(CLI::IsMember({"text", "json"}));
  AddResolverFlags(*keycheck_cmd, keycheck_dns);

  KeygenOptions keygen;
  CLI::App* keygen_cmd = app.add_subcommand("keygen", "Generate a key pair and its DNS record");
  keygen_cmd->add_option("--type", keygen.type, "rsa (default) or ed25519")->check(CLI::IsMember({"rsa", "ed25519"}));
  keygen_cmd->add_option("--bits", keygen.bits, "RSA key size, 1024..4096 (default 2048)");
  keygen_cmd->add_option("--selector,-s", keygen.selector, "Selector (default: default)");
  keygen_cmd->add_option("--domain,-d", keygen.domain, "Signing domain (default: example.com)");
  keygen_cmd->add_option("--private-key,-o", keygen.private_out, "Where to write the PEM (default SELECTOR.private.pem)");

  SignOptions sign;
  CLI::App* sign_cmd = app.add_subcommand("sign", "Sign a message (tests, rotation drills)");
  sign_cmd->add_option("--key,-k", sign.key_file, "Private key PEM")->required();
  sign_cmd->add_option("--domain,-d", sign.request.domain, "d=")->required();
  sign_cmd->add_option("--selector,-s", sign.request.selector, "s=")->required();
  sign_cmd->add_option("--algorithm,-a", sign.algorithm, "rsa-sha256 (default), ed25519-sha256, rsa-sha1");
  sign_cmd->add_option("--canonicalization,-c", sign.canonicalization, "header/body, default relaxed/relaxed");
  sign_cmd->add_option("--headers", sign.headers, "h= as name:name:...; default: the usual fields present");
  sign_cmd->add_option("--identity,-i", sign.request.identity, "i=");
  sign_cmd->add_flag("--body-length,-l", sign.request.body_length, "Add l= with the body length");
  sign_cmd->add_option("--timestamp", sign.timestamp, "t= (default: now)");
  sign_cmd->add_option("--expire-after", sign.expire_after, "Add x= this many seconds after t=");
  sign_cmd->add_option("file", sign.input, "Message file, or - for stdin");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int code = app.exit(e);
    return code == 0 ? 0 : kExitUsage;
  }
  if (app.got_subcommand("verify")) return RunVerify(verify_options, verify_flags);
  if (app.got_subcommand("keycheck")) return RunKeycheck(keycheck, keycheck_dns);
  if (app.got_subcommand("keygen")) return RunKeygen(keygen);
  return RunSign(sign);
}
