-- RFC 8601 §5: Authentication-Results fields that arrive carrying our authserv-id are
-- forgeries and are deleted; fields of other authserv-ids are left alone. smfi_chgheader
-- counts fields of one name from 1; kenind deletes from the last so the indexes hold.
local k = dofile(COMMON)
local conn = k.connect()

local fields, body = k.message("simple.eml")
local forged = {
  {name = k.AR, value = " " .. AUTHSERV .. "; dkim=pass header.d=example.org"},                -- 1: ours
  {name = k.AR, value = " other.example; dkim=pass header.d=" .. AUTHSERV},                   -- 2: foreign
  {name = k.AR, value = " (relayed) " .. AUTHSERV:upper() .. ";\n\tspf=pass smtp.mailfrom=x"}, -- 3: ours
  {name = "authentication-results", value = " trusted.example; none"},                        -- 4: foreign
}
for i = #forged, 1, -1 do table.insert(fields, 1, forged[i]) end
k.mail(conn, "FA1")
k.headers(conn, fields, {fold = "\r\n"})
k.body(conn, body)
k.check(k.eom(conn) == "a", "FA1 accepted")

k.check(mt.eom_check(conn, MT_HDRDELETE, k.AR, 1), "forged field 1 not deleted")
k.check(mt.eom_check(conn, MT_HDRDELETE, k.AR, 3), "forged field 3 not deleted")
k.check(not mt.eom_check(conn, MT_HDRDELETE, k.AR, 2), "foreign field 2 deleted")
k.check(not mt.eom_check(conn, MT_HDRDELETE, k.AR, 4), "foreign field 4 deleted")
k.check(not mt.eom_check(conn, MT_HDRCHANGE, k.AR, "x"), "a field was changed instead of deleted")
k.expect_ar(conn, "dkim=pass header%.d=example%.org")

-- A message without a field of ours has nothing deleted.
k.check(k.send(conn, "FA2", "relaxed.eml") == "a", "FA2 accepted")
k.check(not mt.eom_check(conn, MT_HDRDELETE), "FA2: a field was deleted")
mt.disconnect(conn)
