// RFC 8617 §5.1.1: what an ARC-Seal signs, written out by hand for a two-set chain whose
// fields sit in the header out of order and with odd spacing.
#include "arc/seal_hash.h"

#include <gtest/gtest.h>

namespace kenin::arc {
namespace {

TEST(SealHeaderData, SetsInInstanceOrderRelaxedSealLastWithoutCrlf) {
  const std::vector<verifier::HeaderFieldView> header = {
      {"ARC-Seal", " i=2; cv=pass; b=SEAL2"},                    // 0
      {"ARC-Authentication-Results", " i=2;  mx.b;\r\n\tnone"},  // 1
      {"Arc-Message-Signature ", " i=2; b=AMS2"},                // 2
      {"Received", " from somewhere"},                           // 3
      {"ARC-Message-Signature", " i=1;   b=AMS1 "},              // 4
      {"ARC-Seal", "\ti=1; cv=none; b=SEAL1"},                   // 5
      {"ARC-Authentication-Results", " i=1; mx.a; none"},        // 6
  };
  const std::vector<ArcSetFields> sets = {{6, 4, 5}, {1, 2, 0}};
  EXPECT_EQ(SealHeaderData(header, sets, " i=2; cv=pass; b="),
            "arc-authentication-results:i=1; mx.a; none\r\n"
            "arc-message-signature:i=1; b=AMS1\r\n"
            "arc-seal:i=1; cv=none; b=SEAL1\r\n"
            "arc-authentication-results:i=2; mx.b; none\r\n"
            "arc-message-signature:i=2; b=AMS2\r\n"
            "arc-seal:i=2; cv=pass; b=");
  // The seal of instance 1 covers set 1 only.
  EXPECT_EQ(SealHeaderData(header, std::span(sets).first(1), "\ti=1; cv=none; b="),
            "arc-authentication-results:i=1; mx.a; none\r\n"
            "arc-message-signature:i=1; b=AMS1\r\n"
            "arc-seal:i=1; cv=none; b=");
}

}  // namespace
}  // namespace kenin::arc
