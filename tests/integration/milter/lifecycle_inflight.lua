-- lifecycle.py, reload: a message begun before a SIGHUP finishes under the configuration it
-- began with (AUTHSERV); the next message on the same connection gets the new one
-- (NEW_AUTHSERV). The driver reloads during the pause.
local k = dofile(COMMON)
local conn = k.connect()
local fields, body = k.message("simple.eml")
k.mail(conn, "IF1")
k.headers(conn, fields)
k.body(conn, body:sub(1, 20))
mt.sleep(tonumber(PAUSE))
k.body(conn, body:sub(21))
k.check(k.eom(conn) == "a", "IF1 accepted")
k.expect_ar(conn, "dkim=pass")

AUTHSERV = NEW_AUTHSERV
k.check(k.send(conn, "IF2", "simple.eml") == "a", "IF2 accepted")
k.expect_ar(conn, "dkim=pass")
mt.disconnect(conn)
