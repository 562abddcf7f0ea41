-- DMARC enforcement (enforcement.toml: [dmarc] enforcement = "on"): a DMARC fail is acted
-- on per its disposition: p=reject -> 550 5.7.1 (RFC 7372 §3.2), p=quarantine -> the MTA's
-- quarantine with our header added; a DMARC pass is accepted as always.
local k = dofile(COMMON)
local conn = k.connect(k.OTHER_IP)

local reply = k.send(conn, "EN1", "reject.eml", {sender = "mallory@reject.example"})
k.check(reply == string.char(SMFIR_REPLYCODE), "EN1: expected a reply code, got " .. reply)
k.check(mt.eom_check(conn, MT_SMTPREPLY, "550", "5.7.1", "Rejected by the DMARC policy of reject.example"),
        "EN1: not 550 5.7.1")
k.check(not mt.eom_check(conn, MT_HDRINSERT), "EN1: a header was added to a rejected message")
k.expect_log("queue=EN1 .* dmarc=fail:reject\\.example .*action=reject")

reply = k.send(conn, "EN2", "quarantine.eml", {sender = "mallory@quarantine.example"})
k.check(reply == "a", "EN2 accepted")
k.check(mt.eom_check(conn, MT_QUARANTINE), "EN2: not quarantined")
k.expect_ar(conn, "dmarc=fail .*%(p=quarantine dis=quarantine%) header%.from=quarantine%.example")
k.expect_log("queue=EN2 .*action=quarantine")

-- DKIM passes and aligns, so DMARC passes although SPF fails from this client.
k.check(k.send(conn, "EN3", "simple.eml") == "a", "EN3 accepted")
k.check(not mt.eom_check(conn, MT_QUARANTINE), "EN3 quarantined")
k.expect_ar(conn, "dmarc=pass")
mt.disconnect(conn)
