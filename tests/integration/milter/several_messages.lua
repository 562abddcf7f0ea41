-- Several messages on one connection, each with its own verdict: state is per message.
local k = dofile(COMMON)
local conn = k.connect()

k.check(k.send(conn, "SM1", "simple.eml") == "a", "SM1 accepted")
k.expect_ar(conn, "dkim=pass header%.d=example%.org")

k.check(k.send(conn, "SM2", "unsigned.eml") == "a", "SM2 accepted")
k.expect_ar(conn, "dkim=none")

local _, body = k.message("relaxed.eml")
k.check(k.send(conn, "SM3", "relaxed.eml", {body = body .. "Appended by a mailing list.\r\n"}) == "a", "SM3 accepted")
k.expect_ar(conn, "dkim=fail")

k.check(k.send(conn, "SM4", "relaxed.eml") == "a", "SM4 accepted")
local value = k.expect_ar(conn, "dkim=pass")
k.check(not value:find("dkim=fail"), "SM4 carries SM3's verdict")

for _, line in ipairs({"SM1 .* dkim=pass:", "SM2 .* dkim=none ", "SM3 .* dkim=fail:", "SM4 .* dkim=pass:"}) do
  k.expect_log("queue=" .. line)
end
mt.disconnect(conn)

-- A second connection, open at the same time as a third: each keeps its own message.
local a = k.connect()
local b = k.connect(k.OTHER_IP)
k.mail(a, "SM5")
k.mail(b, "SM6")
local fields_a, body_a = k.message("simple.eml")
local fields_b, body_b = k.message("unsigned.eml")
k.headers(a, fields_a)
k.headers(b, fields_b)
k.body(a, body_a)
k.body(b, body_b)
k.check(k.eom(b) == "a", "SM6 accepted")
k.expect_ar(b, "dkim=none.*spf=fail")
k.check(k.eom(a) == "a", "SM5 accepted")
k.expect_ar(a, "dkim=pass.*spf=pass")
mt.disconnect(a)
mt.disconnect(b)
