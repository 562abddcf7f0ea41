#include "verifier/header_hash.h"

namespace kenin::verifier {

std::string CanonicalHeaderData(std::span<const HeaderFieldView> headers,
                                const std::vector<std::string>& signed_names,
                                Canonicalization canon, std::string_view signature_name,
                                std::string_view signature_value) {
  std::string out;
  out.reserve(1024);
  std::vector<bool> used(headers.size(), false);
  for (const std::string& name : signed_names) {
    // RFC 6376 §5.4.2: for a name listed n times, take the last instance first, then the
    // one above it, and so on; a name listed more often than present adds nothing.
    for (size_t i = headers.size(); i-- > 0;) {
      if (used[i] || !FieldNameEquals(headers[i].name, name)) continue;
      used[i] = true;
      AppendCanonicalHeader(canon, headers[i].name, headers[i].value, out);
      break;
    }
  }
  AppendCanonicalHeader(canon, signature_name, signature_value, out);
  out.resize(out.size() - 2);  // §3.7: the signature field is hashed without its CRLF
  return out;
}

std::string CanonicalHeaderData(const std::vector<HeaderField>& headers,
                                const std::vector<std::string>& signed_names,
                                Canonicalization canon, std::string_view signature_name,
                                std::string_view signature_value) {
  std::vector<HeaderFieldView> views;
  views.reserve(headers.size());
  for (const HeaderField& field : headers) views.push_back({field.name, field.value});
  return CanonicalHeaderData(views, signed_names, canon, signature_name, signature_value);
}

}  // namespace kenin::verifier
