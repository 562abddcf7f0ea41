-- A known mix of messages for the metrics tests (metricsenv.py: EXPECTED says what each kind
-- must add to which series). Sends the mix ROUNDS times and prints "SENT KIND" once kenind
-- has answered each message as expected, so the driver counts what really went through.
-- kenind runs with [dmarc] enforcement = "on". Globals from the driver: ROUNDS, TAG.
local k = dofile(COMMON)

local function sent(kind)
  print("SENT " .. kind)
end

local function expect(reply, wanted, what)
  k.check(reply == wanted, what .. ": expected reply " .. wanted .. ", got " .. reply)
end

for round = 1, tonumber(ROUNDS) do
  local id = TAG .. round .. "-"
  local conn = k.connect()  -- PASS_IP: inside example.org's SPF record
  expect(k.send(conn, id .. "P", "simple.eml"), "a", "pass_rsa")
  sent("pass_rsa")
  local _, body = k.message("relaxed.eml")
  expect(k.send(conn, id .. "F", "relaxed.eml", {body = body .. "Appended.\r\n"}), "a", "fail_rsa")
  sent("fail_rsa")
  expect(k.send(conn, id .. "E", "ed25519.eml"), "a", "pass_ed25519")
  sent("pass_ed25519")
  expect(k.send(conn, id .. "S", "sha1.eml"), "a", "sha1")
  sent("sha1")
  expect(k.send(conn, id .. "R", "reject.eml", {sender = "mallory@reject.example"}),
         string.char(SMFIR_REPLYCODE), "reject")
  sent("reject")
  expect(k.send(conn, id .. "Q", "quarantine.eml", {sender = "mallory@quarantine.example"}),
         "a", "quarantine")
  k.check(mt.eom_check(conn, MT_QUARANTINE), "quarantine: not quarantined")
  sent("quarantine")
  -- An aborted transaction is no message: it must not be counted.
  k.mail(conn, id .. "A")
  k.headers(conn, (k.message("simple.eml")))
  k.ok(mt.abort(conn), "abort")
  mt.disconnect(conn)

  conn = k.connect(k.OTHER_IP)  -- outside the SPF record
  expect(k.send(conn, id .. "U", "unsigned.eml"), "a", "unsigned")
  sent("unsigned")
  mt.disconnect(conn)
end
