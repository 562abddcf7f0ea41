-- An aborted transaction (the SMTP client went away, or RSET) leaves nothing behind: the
-- next message on the same connection is verified on its own, and nothing of the aborted
-- one (its forged Authentication-Results, its half body) touches it.
local k = dofile(COMMON)
local conn = k.connect()

local fields, body = k.message("simple.eml")
table.insert(fields, 1, {name = k.AR, value = " " .. AUTHSERV .. "; dkim=pass header.d=example.org"})
k.mail(conn, "AB1")
k.headers(conn, fields)
k.body(conn, body:sub(1, 10))
k.ok(mt.abort(conn), "abort")

k.check(k.send(conn, "AB2", "simple.eml") == "a", "AB2 accepted")
k.expect_ar(conn, "dkim=pass header%.d=example%.org")
k.check(not mt.eom_check(conn, MT_HDRDELETE), "a header was deleted from AB2")
k.expect_log("queue=AB2 .* dkim=pass:example\\.org ")
k.expect_no_log("queue=AB1 ")

-- Abort right after MAIL FROM and after the headers, then a good message again.
k.mail(conn, "AB3")
k.ok(mt.abort(conn), "abort after MAIL")
k.mail(conn, "AB4")
local unsigned_fields = k.message("unsigned.eml")
k.headers(conn, unsigned_fields)
k.ok(mt.abort(conn), "abort after EOH")
k.check(k.send(conn, "AB5", "relaxed.eml") == "a", "AB5 accepted")
k.expect_ar(conn, "dkim=pass")
k.expect_log("queue=AB5 .* dkim=pass:example\\.org ")
mt.disconnect(conn)
