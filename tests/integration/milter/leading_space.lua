-- Header values with and without the space after the colon. With SMFIP_HDR_LEADSPC (kenind
-- asks for it) a value is exactly what followed the colon, and that whitespace is part of
-- what simple header canonicalization hashes (RFC 6376 §3.4.1); relaxed ignores it (§3.4.2).
local k = dofile(COMMON)

local conn = k.connect()
k.check(mt.test_option(conn, SMFIP_HDR_LEADSPC), "kenind did not ask for SMFIP_HDR_LEADSPC")
k.check(k.send(conn, "LS1", "simple.eml") == "a", "LS1 accepted")
k.expect_ar(conn, "dkim=pass header%.d=example%.org header%.i=@example%.org header%.s=sel header%.a=rsa%-sha256")
k.expect_log("queue=LS1 client=192\\.0\\.2\\.25 dkim=pass:example\\.org spf=pass dmarc=pass:example\\.org score=-3\\.0 action=accept eom_ms=\\d+ total_ms=\\d+")

-- Two spaces after "Comments:" were signed with c=simple: both must reach the hash.
k.check(k.send(conn, "LS2", "spaces.eml") == "a", "LS2 accepted")
k.expect_ar(conn, "dkim=pass")

-- One space more than was signed: simple fails (the bytes are not normalized) ...
k.check(k.send(conn, "LS3", "simple.eml", {extra_space = true}) == "a", "LS3 accepted")
k.expect_ar(conn, "dkim=fail")
k.expect_log("queue=LS3 .* dkim=fail:example\\.org ")
-- ... relaxed passes (RFC 6376 §3.4.2 drops whitespace around the colon).
k.check(k.send(conn, "LS4", "relaxed.eml", {extra_space = true}) == "a", "LS4 accepted")
k.expect_ar(conn, "dkim=pass")
mt.disconnect(conn)

-- An MTA without SMFIP_HDR_LEADSPC drops the space itself: kenind puts one back (the
-- "Name: value" form), so simple still passes, and its own header carries no leading space
-- (that MTA adds one).
conn = k.connect(k.PASS_IP, k.STEPS_WITHOUT_LEADSPC)
k.check(not mt.test_option(conn, SMFIP_HDR_LEADSPC), "SMFIP_HDR_LEADSPC agreed although not offered")
k.check(k.send(conn, "LS5", "simple.eml") == "a", "LS5 accepted")
k.expect_ar(conn, "dkim=pass", true)
k.check(k.send(conn, "LS6", "relaxed.eml") == "a", "LS6 accepted")
k.expect_ar(conn, "dkim=pass", true)
mt.disconnect(conn)
