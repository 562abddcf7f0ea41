-- The MTA goes away in the middle of a message (its SMTP client vanished, smtpd crashed, a
-- timeout): the connection closes with no abort and no quit, mid-header or mid-body, while
-- other connections carry on. Nothing of the lost message may stay behind: kenind serves the
-- next connection normally, logs no verdict for a message that never ended, and exits at once
-- on SIGTERM (a message still counted in flight would make it wait drain_seconds). Run under
-- ASan/LSan or valgrind (memcheck.py), the same steps show that nothing leaks.
-- WANT: the dkim= result of the messages that do end ("pass" unless memcheck.py runs kenind
-- with a nameserver that never answers, where it is "temperror").
local k = dofile(COMMON)
local want = WANT or "pass"

-- A new connection with message file `name` begun as `id`: the header, then the first `octets`
-- of the body (default: all of it) in `chunk`-octet chunks; no end-of-message.
local function begin(id, name, octets, chunk)
  local conn = k.connect()
  local fields, body = k.message(name)
  k.mail(conn, id)
  k.headers(conn, fields)
  k.body(conn, body:sub(1, octets or #body), chunk)
  return conn
end

-- A connection that stays open through all of it, its message begun before the others go.
local steady = begin("DC0", "simple.eml", 20)

-- Gone right after connecting, before negotiation; and after HELO.
mt.disconnect(mt.connect(SOCKET, 40, 0.25), false)
mt.disconnect(k.connect(), false)

-- Gone after MAIL FROM, and halfway through the header (no end-of-header: no DNS started).
local conn = k.connect()
k.mail(conn, "DC1")
mt.disconnect(conn, false)
conn = k.connect()
local fields = k.message("relaxed.eml")
k.mail(conn, "DC2")
for i = 1, 3 do
  k.ok(mt.header(conn, fields[i].name, (fields[i].value:sub(2):gsub("\r\n", "\n"))), "header " .. i)
end
mt.disconnect(conn, false)

-- Gone mid-body: the lookups have started at end-of-header and the body hashers hold part of
-- the body; once after one chunk, once after many one-octet chunks, once with the whole body
-- sent but no end-of-message.
mt.disconnect(begin("DC3", "simple.eml", 10), false)
mt.disconnect(begin("DC4", "relaxed.eml", 30, 1), false)
mt.disconnect(begin("DC5", "spaces.eml", nil, 7), false)

-- The polite way (SMFIC_QUIT) in the middle of a body, and a second message on a connection
-- whose first one ended: gone mid-body too.
mt.disconnect(begin("DC6", "unsigned.eml", 10), true)
conn = k.connect()
k.check(k.send(conn, "DC7", "relaxed.eml") == "a", "DC7 accepted")
k.expect_ar(conn, "dkim=" .. want)
k.mail(conn, "DC8")
k.headers(conn, fields)
k.body(conn, "Hello")
mt.disconnect(conn, false)

-- The connection that stayed open is unharmed, and a new one is served normally.
local _, steady_body = k.message("simple.eml")
k.body(steady, steady_body:sub(21))
k.check(k.eom(steady) == "a", "DC0 accepted")
k.expect_ar(steady, "dkim=" .. want .. " .*header%.d=example%.org")
mt.disconnect(steady)
conn = k.connect()
k.check(k.send(conn, "DC9", "simple.eml") == "a", "DC9 accepted")
k.expect_ar(conn, "dkim=" .. want)
mt.disconnect(conn)

for _, id in ipairs({"DC0", "DC7", "DC9"}) do
  k.expect_log("queue=" .. id .. " .* dkim=" .. want .. ":example\\.org ")
end
for _, id in ipairs({"DC1", "DC2", "DC3", "DC4", "DC5", "DC6", "DC8"}) do
  k.expect_no_log("queue=" .. id .. " ")
end
k.expect_no_log("still in flight")
