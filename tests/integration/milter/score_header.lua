-- The score header (SPEC §4): the sum of the configured weights, inserted below our
-- Authentication-Results. It is ours alone, so copies that came with the message go.
local k = dofile(COMMON)
local conn = k.connect()

local fields, body = k.message("simple.eml")
table.insert(fields, 2, {name = "X-Kenin-Score", value = " -100"})
table.insert(fields, 4, {name = "x-kenin-score", value = " -50"})
k.mail(conn, "SC1")
k.headers(conn, fields)
k.body(conn, body)
k.check(k.eom(conn) == "a", "SC1 accepted")
k.check(mt.eom_check(conn, MT_HDRDELETE, "X-Kenin-Score", 2), "second forged score not deleted")
k.check(mt.eom_check(conn, MT_HDRDELETE, "X-Kenin-Score", 1), "first forged score not deleted")
-- dkim=pass -1.0, spf=pass -0.5, dmarc=pass -1.5 (docs/policy.md)
k.check(mt.eom_check(conn, MT_HDRINSERT, "X-Kenin-Score", " -3.0", 0), "score header not -3.0 at the top")
k.expect_ar(conn, "dkim=pass")

k.check(k.send(conn, "SC2", "unsigned.eml") == "a", "SC2 accepted")
k.check(mt.getheader(conn, "X-Kenin-Score", 0) == " -2.0", "SC2 score")
k.check(not mt.eom_check(conn, MT_HDRDELETE), "SC2: a field was deleted")
mt.disconnect(conn)
