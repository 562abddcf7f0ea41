-- lifecycle.py, drain: SIGTERM arrives during the pause; this open connection still gets
-- its message verified and answered, and kenind exits only afterwards.
local k = dofile(COMMON)
local conn = k.connect()
local fields, body = k.message("simple.eml")
k.mail(conn, "DR1")
k.headers(conn, fields)
mt.sleep(tonumber(PAUSE))
k.body(conn, body)
k.check(k.eom(conn) == "a", "DR1 accepted")
k.expect_ar(conn, "dkim=pass")
mt.disconnect(conn)
