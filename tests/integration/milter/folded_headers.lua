-- Folded fields: the Subject and the DKIM-Signature of simple.eml span lines. Postfix and
-- Sendmail hand them over with "\n" + WSP; kenind hashes the CRLF of the wire, so a
-- c=simple signature verifies (RFC 6376 §3.4.1: simple keeps folding as it is).
local k = dofile(COMMON)
local conn = k.connect()

k.check(k.send(conn, "FO1", "simple.eml", {fold = "\n"}) == "a", "FO1 accepted")
k.expect_ar(conn, "dkim=pass header%.d=example%.org")

-- Folds that already carry CRLF are left alone.
k.check(k.send(conn, "FO2", "simple.eml", {fold = "\r\n"}) == "a", "FO2 accepted")
k.expect_ar(conn, "dkim=pass")

-- The fold itself is signed: the Subject unfolded onto one line no longer verifies.
local fields, body = k.message("simple.eml")
for _, field in ipairs(fields) do
  if field.name == "Subject" then field.value = field.value:gsub("\r\n\t", " ") end
end
k.mail(conn, "FO3")
k.headers(conn, fields)
k.body(conn, body)
k.check(k.eom(conn) == "a", "FO3 accepted")
k.expect_ar(conn, "dkim=fail")

-- Relaxed unfolds (RFC 6376 §3.4.2): the same change still verifies there.
fields, body = k.message("relaxed.eml")
for _, field in ipairs(fields) do
  if field.name == "Subject" then field.value = field.value:gsub("\r\n\t", " ") end
end
k.mail(conn, "FO4")
k.headers(conn, fields)
k.body(conn, body)
k.check(k.eom(conn) == "a", "FO4 accepted")
k.expect_ar(conn, "dkim=pass")
k.expect_log("queue=FO4 .* dkim=pass:example\\.org ")
mt.disconnect(conn)
