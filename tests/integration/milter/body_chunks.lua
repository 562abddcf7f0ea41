-- The body in many small chunks, CR and LF of one line end split across chunks: the
-- streaming body hash must equal the one-shot hash whatever the boundaries (SPEC §2).
local k = dofile(COMMON)
local conn = k.connect()
local sizes = {1, 2, 3, 5, 7, 64}
for i, size in ipairs(sizes) do
  for _, name in ipairs({"simple.eml", "relaxed.eml"}) do
    local queue = "BC" .. size .. name:sub(1, 1)
    k.check(k.send(conn, queue, name, {chunk = size}) == "a", queue .. " accepted")
    k.expect_ar(conn, "dkim=pass header%.d=example%.org")
    k.expect_log("queue=" .. queue .. " .* dkim=pass:example\\.org ")
  end
end

-- A body whose chunks end in CR: one chunk per octet of "\r\n", and trailing empty lines
-- (ignored by both canonicalizations, RFC 6376 §3.4.3, §3.4.4) in chunks of their own.
local fields, body = k.message("relaxed.eml")
k.mail(conn, "BCCR")
k.headers(conn, fields)
k.body(conn, body, 1)
k.body(conn, "\r\n\r\n", 1)
k.check(k.eom(conn) == "a", "BCCR accepted")
k.expect_ar(conn, "dkim=pass")
mt.disconnect(conn)
