-- internal_networks (internal_network.toml: 192.0.2.0/24): mail from there is not verified.
-- With internal networks configured kenind answers connect (no SMFIP_NR_CONN) and accepts
-- an internal client's whole connection there, so the MTA sends it nothing more.
local k = dofile(COMMON)

local conn = mt.connect(SOCKET, 40, 0.25)
k.check(conn ~= nil, "connect")
k.check(not mt.test_option(conn, SMFIP_NR_CONN), "SMFIP_NR_CONN agreed although connect may answer")
k.ok(mt.conninfo(conn, "inside.example", "192.0.2.9"), "conninfo")
k.check(mt.getreply(conn) == SMFIR_ACCEPT, "internal client not accepted at connect")
mt.disconnect(conn)

-- An IPv4-mapped IPv6 client is the IPv4 client (RFC 4291 §2.5.5.2).
conn = mt.connect(SOCKET, 40, 0.25)
k.ok(mt.conninfo(conn, "inside.example", "::ffff:192.0.2.10"), "conninfo")
k.check(mt.getreply(conn) == SMFIR_ACCEPT, "IPv4-mapped internal client not accepted")
mt.disconnect(conn)

-- Everyone else is verified as usual.
conn = k.connect(k.OTHER_IP)
k.check(mt.getreply(conn) == SMFIR_CONTINUE, "external client not continued")
k.check(k.send(conn, "IN1", "simple.eml") == "a", "IN1 accepted")
k.expect_ar(conn, "dkim=pass.*spf=fail")
k.expect_log("queue=IN1 client=198\\.51\\.100\\.7 dkim=pass:example\\.org spf=fail")
mt.disconnect(conn)
