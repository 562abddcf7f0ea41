// Renders the Authentication-Results header field value (RFC 8601): one resinfo per DKIM
// signature, then SPF and DMARC. Values are quoted where RFC 8601 §2.2 needs it, reasons are
// reason="..." (§2.7), header.b carries the first 8 characters of b= (RFC 6008).
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "arc/arc_result.h"
#include "policy/dmarc.h"
#include "policy/spf.h"
#include "verifier/dkim_result.h"

namespace kenin::policy {

// The resinfo items, e.g. "dkim=pass header.d=example.com header.s=s1 ...".
std::vector<std::string> DkimResinfo(std::span<const verifier::DkimVerdict> verdicts);

// "spf=fail reason=\"...\" smtp.mailfrom=example.com" (smtp.helo when HELO was checked).
std::string SpfResinfo(const SpfVerdict& verdict);

// "dmarc=fail reason=\"...\" (p=reject dis=quarantine) header.from=example.com".
std::string DmarcResinfo(const DmarcVerdict& verdict);

// RFC 8617 §10.1 / RFC 8601: "arc=pass header.oldest-pass=1 smtp.remote-ip=192.0.2.1", or
// "arc=fail reason=\"...\" smtp.remote-ip=...". `client_ip` is the address of the SMTP client
// that connected to us (RFC 8617 §6), not what an earlier sealer recorded; empty: left out.
std::string ArcResinfo(const arc::ArcVerdict& verdict, std::string_view client_ip);

// Marks a DMARC resinfo (DmarcResinfo's) as overridden by a trusted ARC sealer (policy/
// arc_override.h): appends "policy.arc-override=<sealer>" (RFC 8601 §2.3 ptype "policy";
// the property names the sealer whose chain was trusted).
void AddArcOverride(std::string& dmarc_item, std::string_view sealer);

// The host name, the default authserv-id (RFC 8601 §2.5: the name of the host that did the
// checks) of kenind and `kenin verify`. "localhost" when there is none.
std::string DefaultAuthservId();

// "authserv-id; item; item" on one line (no folding), or with "; none" when empty.
std::string RenderAuthResults(std::string_view authserv_id, const std::vector<std::string>& items);

// The same, folded after each ";" with `line_break` ("\r\n\t" in a message, "\n\t" for
// libmilter, which adds CRs itself).
std::string FoldAuthResults(std::string_view authserv_id, const std::vector<std::string>& items,
                            std::string_view line_break);

// RFC 2045 token, else an RFC 5322 quoted-string (RFC 8601 §2.2 value).
std::string QuoteIfNeeded(std::string_view value);

}  // namespace kenin::policy
