// Internationalized mail (RFC 6531/6532) through the whole session, RFC 8616: a message whose
// From, MAIL FROM, HELO and DKIM d= are written in U-labels is looked up, aligned and reported
// with A-labels, and passes DKIM, SPF and DMARC against records published under A-labels.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "policy/message_session.h"
#include "tests/unit/dns/test_zone.h"
#include "tests/unit/verifier/test_keys.h"
#include "verifier/signer.h"

namespace kenin::policy {
namespace {

using testkeys::KeyRecordText;
using testkeys::RsaKey;
using testkeys::ZoneTxtLine;

constexpr char kALabel[] = "xn--bcher-kva.example";
constexpr char kULabel[] = "b\xc3\xbc" "cher.example";  // bücher.example

std::unique_ptr<dns::ZoneResolver> IdnZone() {
  std::string text = ZoneTxtLine(std::string("sel._domainkey.") + kALabel + ".",
                                 KeyRecordText(RsaKey(2048)));
  text += ZoneTxtLine(std::string("_dmarc.") + kALabel + ".", "v=DMARC1; p=reject");
  text += ZoneTxtLine(std::string(kALabel) + ".", "v=spf1 ip4:192.0.2.1 -all");
  return testzone::ZoneFromText(text, "idn.zone");
}

TEST(IdnEnvelope, HeloAndMailFromDomainBecomeALabelsLocalPartStays) {
  const Envelope e = WithALabels({"192.0.2.1", std::string("mail.") + kULabel,
                                  std::string("j\xc3\xb6rg@") + kULabel});
  EXPECT_EQ(e.helo, std::string("mail.") + kALabel);
  EXPECT_EQ(e.mail_from, std::string("j\xc3\xb6rg@") + kALabel);
  EXPECT_EQ(e.client_ip, "192.0.2.1");
  // Not a valid IDN: left for SPF to find malformed.
  EXPECT_EQ(WithALabels({"", "\xff.example", "a@\xff.example"}).mail_from, "a@\xff.example");
  EXPECT_EQ(WithALabels({"", "", ""}).mail_from, "");
}

TEST(IdnSession, ULabelMessagePassesAgainstALabelRecords) {
  const std::vector<verifier::HeaderField> fields = {
      {"From", std::string(" J\xc3\xb6rg <j\xc3\xb6rg@B\xc3\x9c" "CHER.example>")},
      {"To", " bob@example.net"},
      {"Subject", " internationalized"},
      {"Date", " Tue, 14 Nov 2023 22:13:20 +0000"}};
  const std::string body = "Gr\xc3\xbc\xc3\x9f" "e\r\n";
  verifier::SignRequest request;
  request.domain = kULabel;  // d= in U-labels: looked up as A-labels
  request.selector = "sel";
  request.timestamp = 1700000000;
  auto signature = verifier::SignMessage(request, RsaKey(2048), fields, body);
  ASSERT_TRUE(signature) << signature.error().detail;

  auto zone = IdnZone();
  SessionOptions options;
  options.authserv_id = "mx.example.net";
  MessageSession session(options, *zone,
                         {"192.0.2.1", std::string("mail.") + kULabel,
                          std::string("bounce@") + kULabel});
  session.OnHeader("DKIM-Signature", *signature);
  for (const auto& field : fields) session.OnHeader(field.name, field.value);
  session.OnEndOfHeaders(1700000100);
  session.OnBodyChunk(body);
  const SessionReport report = session.OnEndOfMessage();

  ASSERT_EQ(report.dkim.size(), 1u);
  EXPECT_EQ(report.dkim[0].result, verifier::DkimResult::kPass) << report.dkim[0].reason;
  EXPECT_EQ(report.dkim[0].ids.domain, kALabel);
  ASSERT_TRUE(report.spf);
  EXPECT_EQ(report.spf->result, SpfResult::kPass) << report.spf->reason;
  ASSERT_TRUE(report.dmarc);
  EXPECT_EQ(report.dmarc->result, DmarcResult::kPass) << report.dmarc->reason;
  EXPECT_EQ(report.dmarc->from_domain, kALabel);
  // The header stays ASCII: every domain in its A-label form.
  const std::string& header = report.authentication_results;
  EXPECT_NE(header.find(std::string("header.d=") + kALabel), std::string::npos) << header;
  EXPECT_NE(header.find(std::string("header.from=") + kALabel), std::string::npos) << header;
  EXPECT_NE(header.find(std::string("@") + kALabel), std::string::npos) << header;
}

}  // namespace
}  // namespace kenin::policy
