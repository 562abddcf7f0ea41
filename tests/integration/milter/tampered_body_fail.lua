-- A body changed after signing: "dkim=fail" with the reason (RFC 6376 §6.1.3: the body
-- hash does not match), for both canonicalizations, while the headers still match.
local k = dofile(COMMON)
local conn = k.connect()
for _, name in ipairs({"simple.eml", "relaxed.eml"}) do
  local _, body = k.message(name)
  local tampered = body:gsub("Hello Bob", "Hello Eve")
  local queue = "TB" .. name:sub(1, 1)
  k.check(k.send(conn, queue, name, {body = tampered}) == "a", queue .. " accepted")
  k.expect_ar(conn, "dkim=fail reason=\"[^\"]*body[^\"]*\" header%.d=example%.org")
  k.expect_log("queue=" .. queue .. " .* dkim=fail:example\\.org ")
end
mt.disconnect(conn)
