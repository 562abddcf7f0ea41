-- Shared by the kenind miltertest scripts (loaded with dofile(COMMON)). miltertest plays the
-- MTA; these helpers read a message file, send it the way Postfix and Sendmail do (header
-- values as after the colon, folds as "\n" + WSP, body in chunks with CRLF), and check what
-- kenind asked for at end-of-message. Globals from the driver: SOCKET, DATA, AUTHSERV.
-- Every check raises an error, which makes miltertest exit non-zero.
local k = {}

k.AR = "Authentication-Results"
k.PASS_IP = "192.0.2.25"     -- inside example.org's SPF record (ip4:192.0.2.0/24)
k.OTHER_IP = "198.51.100.7"  -- outside it

function k.ok(result, what)
  if result ~= nil then
    print("FAILED: " .. what .. ": " .. tostring(result))
    error(what .. ": " .. tostring(result), 2)
  end
end

-- miltertest does not print a script's error: the reason goes to stdout first.
function k.check(condition, what)
  if not condition then
    print("FAILED: " .. what)
    error("check failed: " .. what, 2)
  end
end

function k.read(name)
  local file = assert(io.open(DATA .. "/" .. name, "rb"))
  local text = file:read("*a")
  file:close()
  return text
end

-- Splits a CRLF message into fields {name, value} and the body; a value is everything after
-- the colon, its folds kept as CRLF + WSP.
function k.parse(text)
  local head, body = text:match("^(.-)\r\n\r\n(.*)$")
  local fields = {}
  for line in (head .. "\r\n"):gmatch("(.-)\r\n") do
    if line:match("^[ \t]") then
      fields[#fields].value = fields[#fields].value .. "\r\n" .. line
    else
      local name, value = line:match("^([^:]+):(.*)$")
      fields[#fields + 1] = {name = name, value = value}
    end
  end
  return fields, body
end

function k.message(name)
  return k.parse(k.read(name))
end

-- Connects, sends the client address and HELO. `ip` defaults to k.PASS_IP; `steps`, when
-- given, are the protocol steps offered in negotiation (default: all of protocol v6).
function k.connect(ip, steps)
  local conn = mt.connect(SOCKET, 40, 0.25)
  if conn == nil then error("cannot connect to " .. SOCKET) end
  if steps then k.ok(mt.negotiate(conn, 6, steps, nil), "negotiate") end
  k.ok(mt.conninfo(conn, "client.example.net", ip or k.PASS_IP), "conninfo")
  k.ok(mt.helo(conn, "client.example.net"), "helo")
  return conn
end

-- MAIL FROM with queue id macro "i" (what kenind logs).
function k.mail(conn, queue_id, sender)
  k.ok(mt.macro(conn, SMFIC_MAIL, "i", queue_id), "macro i")
  k.ok(mt.mailfrom(conn, "<" .. (sender or "alice@example.org") .. ">"), "mailfrom")
end

-- Sends the fields and end-of-headers. With SMFIP_HDR_LEADSPC agreed, miltertest puts a
-- space before every value itself (as an MTA sends "Name: value"), so one leading space of
-- the file's value is left out here and the filter sees the file's exact bytes; without
-- it an MTA has dropped that space, and so is it here.
-- opts.fold: "\n" (default: what Postfix and Sendmail send) or "\r\n".
-- opts.extra_space: one more space before each value than the file has.
function k.headers(conn, fields, opts)
  opts = opts or {}
  for _, field in ipairs(fields) do
    local value = field.value
    if opts.fold ~= "\r\n" then value = value:gsub("\r\n", "\n") end
    k.check(value:sub(1, 1) == " ", "cannot send [" .. field.name .. ":" .. value .. "] exactly")
    value = value:sub(2)
    if opts.extra_space then value = " " .. value end
    k.ok(mt.header(conn, field.name, value), "header " .. field.name)
  end
  k.ok(mt.eoh(conn), "eoh")
end

-- The body in chunks of `size` octets (default: one chunk).
function k.body(conn, body, size)
  size = size or #body
  for i = 1, #body, size do
    k.ok(mt.bodystring(conn, body:sub(i, i + size - 1)), "body chunk at " .. i)
  end
end

-- End of message; returns the one-letter reply ("a" accept, "r" reject, "y" reply code...).
function k.eom(conn)
  k.ok(mt.eom(conn), "eom")
  return string.char(mt.getreply(conn))
end

-- The Authentication-Results kenind inserted at the top (index 0), checked against a Lua
-- pattern; returns its value. It starts with a space (kenind negotiated SMFIP_HDR_LEADSPC,
-- so the MTA adds none) unless `no_space`, and folds after the authserv-id with "\n\t".
function k.expect_ar(conn, pattern, no_space)
  local value = mt.getheader(conn, k.AR, 0)
  k.check(value ~= nil, "no " .. k.AR .. " inserted")
  k.check(mt.eom_check(conn, MT_HDRINSERT, k.AR, value, 0), k.AR .. " not inserted at index 0")
  local start = (no_space and "^" or "^ ") .. AUTHSERV:gsub("%.", "%%.") .. ";\n\t"
  k.check(value:find(start) ~= nil, "header does not start with " .. start .. ": [" .. value .. "]")
  k.check(value:find(pattern) ~= nil, "header [" .. value .. "] does not match " .. pattern)
  return value
end

-- Sends a whole message file on a new transaction and returns the reply.
function k.send(conn, queue_id, name, opts)
  opts = opts or {}
  local fields, body = k.message(name)
  k.mail(conn, queue_id, opts.sender)
  k.headers(conn, fields, opts)
  k.body(conn, opts.body or body, opts.chunk)
  return k.eom(conn)
end

-- Lines of kenind's log the driver checks after the run (Python regular expressions).
function k.expect_log(regex)
  print("EXPECT-LOG: " .. regex)
end

function k.expect_no_log(regex)
  print("EXPECT-NO-LOG: " .. regex)
end

-- The protocol steps of v6 without SMFIP_HDR_LEADSPC: an MTA that strips the space.
k.STEPS_WITHOUT_LEADSPC = 0x1FFFFF - SMFIP_HDR_LEADSPC

return k
