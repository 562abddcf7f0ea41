-- lifecycle.py: one message; the header must carry the authserv-id AUTHSERV.
local k = dofile(COMMON)
local conn = k.connect()
k.check(k.send(conn, QUEUE or "LC1", "simple.eml") == "a", "accepted")
k.expect_ar(conn, "dkim=pass")
mt.disconnect(conn)
