#include "policy/auth_results_parser.h"

#include <gtest/gtest.h>

namespace kenin::policy {
namespace {

TEST(ParseAuthservId, TakesTheFirstValueSkippingCfws) {
  EXPECT_EQ(ParseAuthservId(" mx.example.net; dkim=pass"), "mx.example.net");
  EXPECT_EQ(ParseAuthservId("\r\n\t(comment (nested)) mx.example.net 1; none"), "mx.example.net");
  EXPECT_EQ(ParseAuthservId(" \"quoted id\"; none"), "quoted id");
  EXPECT_EQ(ParseAuthservId("mx.example.net"), "mx.example.net");
  EXPECT_FALSE(ParseAuthservId(""));
  EXPECT_FALSE(ParseAuthservId(" ; dkim=pass"));
  EXPECT_FALSE(ParseAuthservId("(unterminated comment"));
}

TEST(ParseAuthResults, ReadsMethodsResultsReasonsAndProperties) {
  auto parsed = ParseAuthResults(
      " mx.example.net;\r\n\tdkim=fail reason=\"body hash; did \\\"not\\\" verify\" header.d=example.com "
      "header.i=user@example.com header.b=\"ab/+CD=e\";\r\n\tspf=pass (good) smtp.mailfrom=example.org;"
      " dmarc=fail (p=reject dis=quarantine) header.from=example.com");
  ASSERT_TRUE(parsed);
  EXPECT_EQ(parsed->authserv_id, "mx.example.net");
  ASSERT_EQ(parsed->results.size(), 3u);
  EXPECT_EQ(parsed->results[0].method, "dkim");
  EXPECT_EQ(parsed->results[0].result, "fail");
  EXPECT_EQ(parsed->results[0].reason, "body hash; did \"not\" verify");
  EXPECT_EQ(parsed->results[0].properties.at("header.i"), "user@example.com");
  EXPECT_EQ(parsed->results[0].properties.at("header.b"), "ab/+CD=e");
  EXPECT_EQ(parsed->results[1].properties.at("smtp.mailfrom"), "example.org");
  EXPECT_EQ(parsed->results[2].properties.at("header.from"), "example.com");
}

TEST(ParseAuthResults, NoResultAndVersion) {
  auto none = ParseAuthResults("mx.example.net 1; none");
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->results.empty());
  auto bare = ParseAuthResults("mx.example.net");
  ASSERT_TRUE(bare);
  EXPECT_TRUE(bare->results.empty());
}

// Found by fuzz/auth_results_fuzz: a backslash ending an unterminated comment moved the
// reader past the end, and the next word threw std::out_of_range out of a parser that
// promises never to throw.
TEST(ParseAuthResults, BackslashAtTheEndOfAnOpenCommentIsNotAnException) {
  // What follows the ';' is all comment, read leniently to the end: "mx" with no result.
  for (std::string_view value : {std::string_view(" mxo;(\nkim=qass reason=\"\0 1\\", 28),
                                 std::string_view("mx; (\\")}) {
    std::optional<ParsedAuthResults> parsed;
    EXPECT_NO_THROW(parsed = ParseAuthResults(value));
    ASSERT_TRUE(parsed);
    EXPECT_TRUE(parsed->results.empty());
  }
  EXPECT_FALSE(ParseAuthservId("(\\"));
}

TEST(ParseAuthResults, MalformedValuesAreRejectedNotGuessed) {
  EXPECT_FALSE(ParseAuthResults("mx; dkim"));
  EXPECT_FALSE(ParseAuthResults("mx; dkim=pass header.d"));
  EXPECT_FALSE(ParseAuthResults("mx; dkim=pass reason=\"unterminated"));
  EXPECT_FALSE(ParseAuthResults("mx; =pass"));
}

}  // namespace
}  // namespace kenin::policy
