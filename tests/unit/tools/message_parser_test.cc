#include "tools/message_parser.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace kenin::tools {
namespace {

struct Parsed {
  std::vector<std::pair<std::string, std::string>> headers;
  bool ended_headers = false;
  std::string body;
};

Parsed ParseInChunks(std::string_view message, size_t chunk) {
  Parsed parsed;
  MessageParser parser({
      .on_header = [&](std::string_view n, std::string_view v) { parsed.headers.emplace_back(n, v); },
      .on_end_of_headers = [&] { parsed.ended_headers = true; },
      .on_body = [&](std::string_view c) { parsed.body.append(c); },
  });
  for (size_t i = 0; i < message.size(); i += chunk) parser.Feed(message.substr(i, chunk));
  parser.Finish();
  return parsed;
}

TEST(MessageParser, SplitsFieldsKeepingRawValueAndFolding) {
  Parsed p = ParseInChunks("From: a@example.com\r\nSubject: one\r\n\ttwo\r\n\r\nbody\r\n", 1000);
  ASSERT_EQ(p.headers.size(), 2u);
  EXPECT_EQ(p.headers[0].first, "From");
  EXPECT_EQ(p.headers[0].second, " a@example.com");
  EXPECT_EQ(p.headers[1].second, " one\r\n\ttwo");  // folding kept for simple canonicalization
  EXPECT_TRUE(p.ended_headers);
  EXPECT_EQ(p.body, "body\r\n");
}

TEST(MessageParser, LfLineEndingsAreReadAsCrlf) {
  Parsed p = ParseInChunks("From: a\nSubject: b\n c\n\nline1\nline2\n", 1000);
  ASSERT_EQ(p.headers.size(), 2u);
  EXPECT_EQ(p.headers[1].second, " b\r\n c");
  EXPECT_EQ(p.body, "line1\r\nline2\r\n");
}

TEST(MessageParser, ExistingCrlfIsNotDoubled) {
  Parsed p = ParseInChunks("A: b\r\n\r\nx\r\ny\n", 3);
  EXPECT_EQ(p.body, "x\r\ny\r\n");
}

TEST(MessageParser, SameResultForEveryChunkSize) {
  const std::string message =
      "From: a@example.com\r\nSubject: folded\r\n  again\r\nTo: b\r\n\r\nHello\r\n\r\n \r\nend";
  Parsed whole = ParseInChunks(message, message.size());
  for (size_t chunk = 1; chunk < message.size(); ++chunk) {
    Parsed split = ParseInChunks(message, chunk);
    EXPECT_EQ(split.headers, whole.headers) << "chunk " << chunk;
    EXPECT_EQ(split.body, whole.body) << "chunk " << chunk;
  }
}

// CRLF chunks pass through uncopied and chunks with a bare LF are rewritten: a message mixing
// both must read the same at every chunk size.
TEST(MessageParser, MixedLineEndingsSameResultForEveryChunkSize) {
  const std::string message = "A: b\r\nC: d\n e\r\n\nx\r\ny\n\r\n\nz\r";
  Parsed whole = ParseInChunks(message, message.size());
  ASSERT_EQ(whole.headers.size(), 2u);
  EXPECT_EQ(whole.headers[1].second, " d\r\n e");
  EXPECT_EQ(whole.body, "x\r\ny\r\n\r\n\r\nz\r");
  for (size_t chunk = 1; chunk < message.size(); ++chunk) {
    Parsed split = ParseInChunks(message, chunk);
    EXPECT_EQ(split.headers, whole.headers) << "chunk " << chunk;
    EXPECT_EQ(split.body, whole.body) << "chunk " << chunk;
  }
}

TEST(MessageParser, CrAndLfSplitAcrossChunksStayOneLineBreak) {
  Parsed p = ParseInChunks("A: b\r\n\r\nx\r\ny", 9);  // chunk ends right after the body's CR
  EXPECT_EQ(p.body, "x\r\ny");
}

TEST(MessageParser, HeaderOnlyMessageEndsHeadersWithEmptyBody) {
  Parsed p = ParseInChunks("From: a\r\nSubject: b", 1000);
  ASSERT_EQ(p.headers.size(), 2u);
  EXPECT_EQ(p.headers[1].second, " b");
  EXPECT_TRUE(p.ended_headers);
  EXPECT_TRUE(p.body.empty());
}

TEST(MessageParser, MboxFromLineAndColonlessLinesAreNotFields) {
  Parsed p = ParseInChunks("From sender Sat Jan 1\r\nFrom: a\r\ngarbage line\r\nTo: b\r\n\r\n", 1000);
  ASSERT_EQ(p.headers.size(), 2u);
  EXPECT_EQ(p.headers[0].first, "From");
  EXPECT_EQ(p.headers[1].first, "To");
}

TEST(MessageParser, EmptyInputStillEndsHeaders) {
  Parsed p = ParseInChunks("", 1);
  EXPECT_TRUE(p.headers.empty());
  EXPECT_TRUE(p.ended_headers);
}

}  // namespace
}  // namespace kenin::tools
