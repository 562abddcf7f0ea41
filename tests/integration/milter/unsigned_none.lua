-- No DKIM-Signature: "dkim=none" (RFC 8601 §2.7.1), SPF and DMARC still evaluated.
local k = dofile(COMMON)
local conn = k.connect()
k.check(k.send(conn, "UN1", "unsigned.eml") == "a", "UN1 accepted")
-- SPF passes for 192.0.2.25 and aligns with From: DMARC passes without DKIM.
k.expect_ar(conn, "^ [^;]+;\n\tdkim=none;\n\tspf=pass smtp%.mailfrom=example%.org;\n\tdmarc=pass %(p=none dis=none%) header%.from=example%.org$")
k.expect_log("queue=UN1 client=192\\.0\\.2\\.25 dkim=none spf=pass dmarc=pass:example\\.org score=-2\\.0 action=accept")
mt.disconnect(conn)

conn = k.connect(k.OTHER_IP)
k.check(k.send(conn, "UN2", "unsigned.eml") == "a", "UN2 accepted")
k.expect_ar(conn, "dkim=none;\n\tspf=fail .*;\n\tdmarc=fail .*%(p=none dis=none%)")
k.expect_log("queue=UN2 client=198\\.51\\.100\\.7 dkim=none spf=fail dmarc=fail:example\\.org score=5\\.0 action=accept")
mt.disconnect(conn)
