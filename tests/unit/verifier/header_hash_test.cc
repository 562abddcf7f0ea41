// The header data a signature covers (RFC 6376 §3.7, §5.4.2): h= names in order, instances
// from the bottom up, names listed too often adding nothing, then the signature field with
// b= emptied and no CRLF. Expected strings are written out by hand.
#include "verifier/header_hash.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "verifier/signature.h"

namespace kenin::verifier {
namespace {

constexpr Canonicalization kSimple = Canonicalization::kSimple;
constexpr Canonicalization kRelaxed = Canonicalization::kRelaxed;

const std::vector<HeaderField> kHeaders = {
    {"Received", " from a by b; Mon, 1 Jan 2024 00:00:02 +0000"},
    {"From", " Alice <alice@example.com>"},
    {"Received", " from c by a; Mon, 1 Jan 2024 00:00:01 +0000"},
    {"Subject", "  Hello\r\n\tworld "},
    {"To", " bob@example.net"},
};

std::string Data(const std::vector<std::string>& names, Canonicalization canon,
                 const std::vector<HeaderField>& headers = kHeaders) {
  return CanonicalHeaderData(headers, names, canon, "DKIM-Signature", " v=1; b=");
}

TEST(CanonicalHeaderData, HashesNamedFieldsInHeaderListOrder) {
  EXPECT_EQ(Data({"to", "from"}, kSimple),
            "To: bob@example.net\r\n"
            "From: Alice <alice@example.com>\r\n"
            "DKIM-Signature: v=1; b=");
}

TEST(CanonicalHeaderData, TakesInstancesFromTheBottomUp) {
  // RFC 6376 §5.4.2: the first "received" in h= is the last Received field, and so on.
  EXPECT_EQ(Data({"received"}, kSimple),
            "Received: from c by a; Mon, 1 Jan 2024 00:00:01 +0000\r\n"
            "DKIM-Signature: v=1; b=");
  EXPECT_EQ(Data({"received", "received"}, kSimple),
            "Received: from c by a; Mon, 1 Jan 2024 00:00:01 +0000\r\n"
            "Received: from a by b; Mon, 1 Jan 2024 00:00:02 +0000\r\n"
            "DKIM-Signature: v=1; b=");
}

TEST(CanonicalHeaderData, NameListedMoreOftenThanPresentAddsNothing) {
  // Oversigning: the extra "subject" stands for an instance that must not exist.
  EXPECT_EQ(Data({"from", "subject", "subject", "subject"}, kRelaxed),
            Data({"from", "subject"}, kRelaxed));
}

TEST(CanonicalHeaderData, OversignedNameCatchesAnAddedInstance) {
  std::vector<HeaderField> added = kHeaders;
  added.insert(added.begin(), HeaderField{"Subject", " Buy now"});
  // Without oversigning the added field above is invisible...
  EXPECT_EQ(Data({"from", "subject"}, kRelaxed, added), Data({"from", "subject"}, kRelaxed));
  // ...with it, the data changes.
  EXPECT_NE(Data({"from", "subject", "subject"}, kRelaxed, added),
            Data({"from", "subject", "subject"}, kRelaxed));
}

TEST(CanonicalHeaderData, AbsentNameAddsNothing) {
  EXPECT_EQ(Data({"from", "reply-to", "cc"}, kSimple), Data({"from"}, kSimple));
}

TEST(CanonicalHeaderData, MatchesNamesCaseInsensitively) {
  EXPECT_EQ(Data({"FROM", "sUbJeCt"}, kSimple),
            "From: Alice <alice@example.com>\r\n"
            "Subject:  Hello\r\n\tworld \r\n"
            "DKIM-Signature: v=1; b=");
}

TEST(CanonicalHeaderData, RelaxedCanonicalizesFieldsAndSignature) {
  std::string data = CanonicalHeaderData(kHeaders, {"from", "subject"}, kRelaxed, "DKIM-Signature",
                                         " v=1;\r\n\t a=rsa-sha256;  b=");
  EXPECT_EQ(data,
            "from:Alice <alice@example.com>\r\n"
            "subject:Hello world\r\n"
            "dkim-signature:v=1; a=rsa-sha256; b=");
}

TEST(CanonicalHeaderData, RfcExampleHeadersUnderRelaxed) {
  // RFC 6376 §3.4.5: "A: X" and "B : Y<TAB><CRLF><SP>Z<SP><SP>" become "a:X" and "b:Y Z".
  std::vector<HeaderField> headers = {{"A", " X"}, {"B ", " Y\t\r\n Z  "}};
  EXPECT_EQ(CanonicalHeaderData(headers, {"a", "b"}, kRelaxed, "DKIM-Signature", " b="),
            "a:X\r\nb:Y Z\r\ndkim-signature:b=");
  EXPECT_EQ(CanonicalHeaderData(headers, {"a", "b"}, kSimple, "DKIM-Signature", " b="),
            "A: X\r\nB : Y\t\r\n Z  \r\nDKIM-Signature: b=");
}

TEST(CanonicalHeaderData, SignatureFieldKeepsItsWrittenNameUnderSimple) {
  EXPECT_EQ(CanonicalHeaderData(std::vector<HeaderField>{}, {}, kSimple, "dkim-signature", " b="),
            "dkim-signature: b=");
}

TEST(CanonicalHeaderData, SignatureFieldHasBValueRemoved) {
  // The field as it arrives, with a folded b= in the middle: the hash sees it emptied.
  const std::string field =
      " v=1; a=rsa-sha256; d=example.com; s=sel; h=from;\r\n"
      "\tb=dGhpcyBpcyBub3Qg\r\n\t YSByZWFsIHNpZ25hdHVyZQ==;\r\n"
      "\tbh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
  auto sig = ParseSignature(field);
  ASSERT_TRUE(sig) << sig.error().detail;
  EXPECT_EQ(CanonicalHeaderData(kHeaders, sig->signed_headers, kSimple, "DKIM-Signature",
                                sig->value_without_b),
            "From: Alice <alice@example.com>\r\n"
            "DKIM-Signature: v=1; a=rsa-sha256; d=example.com; s=sel; h=from;\r\n"
            "\tb=;\r\n"
            "\tbh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  EXPECT_EQ(CanonicalHeaderData(kHeaders, sig->signed_headers, kRelaxed, "DKIM-Signature",
                                sig->value_without_b),
            "from:Alice <alice@example.com>\r\n"
            "dkim-signature:v=1; a=rsa-sha256; d=example.com; s=sel; h=from; b=; "
            "bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
}

}  // namespace
}  // namespace kenin::verifier
