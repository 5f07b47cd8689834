-- A shoppers' mix: per 20 requests, 10 GET /session and 4 POST /session/restore (70% reads),
-- 3 POST /chat turns (15%), 2 cart writes (10%: add, change quantity, remove) and 1 POST
-- /checkout (5%), shuffled anew every 20 requests.
--
-- Sessions: each line of STATE_FILE is "<token>\t<line_id>,<line_id>..." (the cart as it is
-- now).  Thread t takes the lines n with n % THREADS == t, and never has two requests of one
-- session in flight at once: a request goes to the next session that is not waiting for an
-- answer, so per-session ordering (chat turns queue per session) does not serialise the load.
-- The thread follows each cart from the answers (cart writes and chat turns return the cart,
-- a 201 checkout empties it), so changes and removals name lines that exist and checkouts go
-- to sessions with something in the cart.
--
-- Per-request latency and status per kind: every request carries X-Request-ID
-- "<op>.<thread>.<seq>.<session>", which the server echoes; response() finds the op and the
-- send time from it.  done() prints one "MIXED" line per op and per kind (see mixed.py).
--
-- Usage: wrk -s mixed.lua URL -- STATE_FILE VARIANTS_FILE MESSAGES_FILE THREADS SALT

local ffi = require("ffi")
ffi.cdef [[
typedef struct { long tv_sec; long tv_nsec; } mixed_timespec;
int clock_gettime(int clk_id, mixed_timespec *tp);
]]
local clock = ffi.new("mixed_timespec")
local function now_ms()
  ffi.C.clock_gettime(1, clock) -- CLOCK_MONOTONIC
  return tonumber(clock.tv_sec) * 1000 + tonumber(clock.tv_nsec) / 1e6
end

-- op -> kind, for the per-kind rows; "prep" is a cart add made because a checkout found no
-- session with a cart (should stay 0: carts are filled beforehand and by cart writes).
local KIND = {
  get = "read", restore = "read", chat = "chat",
  add = "cart", qty = "cart", del = "cart", checkout = "checkout", prep = "checkout",
}
local PATTERN = {
  "get", "get", "get", "get", "get", "get", "get", "get", "get", "get",
  "restore", "restore", "restore", "restore",
  "chat", "chat", "chat",
  "cart", "cart",
  "checkout",
}
local JSON = { ["Content-Type"] = "application/json" }
local CHECKOUT = '{"payment_method":"upi","fulfillment":{"type":"delivery",'
  .. '"address":{"line1":"12 MG Road","city":"Pune","pincode":"411001"}}}'

local threads = {}
local thread_count = 0

function setup(thread)
  thread:set("id", thread_count)
  thread_count = thread_count + 1
  threads[#threads + 1] = thread
end

local function lines_of(name)
  local found = {}
  local file = assert(io.open(name, "r"))
  for line in file:lines() do
    if line ~= "" then
      found[#found + 1] = line
    end
  end
  file:close()
  assert(#found > 0, "nothing in " .. name)
  return found
end

local function split_ids(text)
  local ids = {}
  for line_id in (text or ""):gmatch("[^,]+") do
    ids[#ids + 1] = line_id
  end
  return ids
end

local function json_string(text)
  return '"' .. text:gsub('[%c"\\]', function(c)
    return string.format("\\u%04x", c:byte())
  end) .. '"'
end

function init(args)
  local thread_total = tonumber(args[4])
  local salt = args[5] or "0"
  math.randomseed(id * 7919 + tonumber(salt:sub(-6), 16) % 100000)
  sessions = {}
  local n = 0
  for _, line in ipairs(lines_of(args[1])) do
    if n % thread_total == id then
      local token, ids = line:match("^([^\t]+)\t?(.*)$")
      sessions[#sessions + 1] = {
        token = token, lines = split_ids(ids), busy = false, turn = n, broken = false,
      }
    end
    n = n + 1
  end
  assert(#sessions > 0, "no sessions for thread " .. id)
  variants = {}
  for _, line in ipairs(lines_of(args[2])) do
    local sku, size = line:match("^([^\t]+)\t(.+)$")
    variants[#variants + 1] = string.format('{"sku":"%s","size":"%s","qty":1}', sku, size)
  end
  messages = {}
  for _, line in ipairs(lines_of(args[3])) do
    messages[#messages + 1] = '{"message":' .. json_string(line) .. "}"
  end
  key_prefix = salt .. "-" .. id .. "-"
  cycle = {}
  for i, op in ipairs(PATTERN) do
    cycle[i] = op
  end
  position = #cycle + 1
  next_session, next_cart, seq = 0, 0, 0
  sent = {}    -- seq -> send time (ms)
  answers = {}
end

local function shuffle(list)
  for i = #list, 2, -1 do
    local j = math.random(i)
    list[i], list[j] = list[j], list[i]
  end
end

-- The next session with no request in flight (round robin).
local function free_session()
  for _ = 1, #sessions do
    next_session = next_session % #sessions + 1
    local s = sessions[next_session]
    if not s.busy then
      return next_session
    end
  end
  return next_session -- all busy: only when connections outnumber this thread's sessions
end

-- The next free session with something in its cart, or nil.
local function session_with_cart()
  for _ = 1, #sessions do
    next_cart = next_cart % #sessions + 1
    local s = sessions[next_cart]
    if not s.busy and not s.broken and #s.lines > 0 then
      return next_cart
    end
  end
  return nil
end

function request()
  if position > #cycle then
    shuffle(cycle)
    position = 1
  end
  local op = cycle[position]
  position = position + 1
  local index
  if op == "checkout" then
    index = session_with_cart()
    if index == nil then
      op = "prep"
    end
  end
  index = index or free_session()
  local s = sessions[index]
  local method, path, body = "GET", "/session", nil
  local headers = { ["X-Session-Token"] = s.token }
  if op == "restore" then
    method, path = "POST", "/session/restore"
  elseif op == "chat" then
    s.turn = s.turn + 1
    method, path, body = "POST", "/chat", messages[(s.turn - 1) % #messages + 1]
  elseif op == "cart" then
    local count = #s.lines
    local roll = math.random()
    if count == 0 then
      op = "add"
      s.broken = false
    elseif s.broken or count >= 3 then
      op = roll < 0.5 and "qty" or "del"
      if s.broken then
        op = "del"
      end
    else
      op = roll < 0.4 and "add" or (roll < 0.7 and "qty" or "del")
    end
    if op == "add" then
      method, path, body = "POST", "/cart/items", variants[math.random(#variants)]
    else
      local line_id = s.lines[math.random(count)]
      if op == "qty" then
        method, path = "PATCH", "/cart/items/" .. line_id
        body = string.format('{"qty":%d}', math.random(3))
      else
        method, path = "DELETE", "/cart/items/" .. line_id
      end
    end
  elseif op == "prep" then
    method, path, body = "POST", "/cart/items", variants[math.random(#variants)]
  elseif op == "checkout" then
    method, path, body = "POST", "/checkout", CHECKOUT
  end
  seq = seq + 1
  if body then
    for k, v in pairs(JSON) do
      headers[k] = v
    end
  end
  if op == "checkout" then
    headers["Idempotency-Key"] = key_prefix .. seq
  end
  headers["X-Request-ID"] = op .. "." .. id .. "." .. seq .. "." .. index
  s.busy = true
  sent[seq] = now_ms()
  return wrk.format(method, path, headers, body)
end

-- The line ids of the cart array that follows `start` in body (a "[" … "]"), skipping strings.
local function cart_line_ids(body, start)
  local open = body:find("[", start, true)
  if not open then
    return nil
  end
  local depth, pos = 0, open
  while true do
    local at, _, c = body:find('([%[%]"])', pos)
    if not at then
      return nil
    end
    if c == '"' then
      local close = at
      repeat
        close = body:find('"', close + 1, true)
        if not close then
          return nil
        end
        local backslashes = 0
        while body:sub(close - 1 - backslashes, close - 1 - backslashes) == "\\" do
          backslashes = backslashes + 1
        end
      until backslashes % 2 == 0
      pos = close + 1
    else
      depth = depth + (c == "[" and 1 or -1)
      pos = at + 1
      if depth == 0 then
        local ids = {}
        for line_id in body:sub(open, at):gmatch('"line_id"%s*:%s*"([^"]+)"') do
          ids[#ids + 1] = line_id
        end
        return ids
      end
    end
  end
end

local function cart_of(op, body)
  local at
  if op == "chat" then
    at = select(2, body:find('"cart"%s*:%s*{%s*"items"%s*:'))
  elseif op == "get" or op == "restore" then
    at = select(2, body:find('"cart"%s*:'))
  else -- a cart endpoint: the body is the cart
    at = select(2, body:find('"items"%s*:'))
  end
  return at and cart_line_ids(body, at) or nil
end

-- Per thread, flat tables only (wrk cannot copy nested tables between threads): the global
-- lat_<op> lists each answer's latency, answers["<op> <status>[/<code>]"] counts them.
local function tally(op, status, latency, code)
  local list = _G["lat_" .. op]
  if list == nil then
    list = {}
    _G["lat_" .. op] = list
  end
  list[#list + 1] = latency
  local key = op .. " " .. status
  if code then
    key = key .. "/" .. code
  end
  answers[key] = (answers[key] or 0) + 1
end

function response(status, headers, body)
  local rid = headers["x-request-id"] or headers["X-Request-ID"] or ""
  local op, n, index = rid:match("^(%a+)%.%d+%.(%d+)%.(%d+)$")
  if op == nil then
    tally("unknown", status, 0, nil)
    return
  end
  n, index = tonumber(n), tonumber(index)
  local latency = now_ms() - (sent[n] or now_ms())
  sent[n] = nil
  local code = nil
  if status >= 300 then
    code = body:match('"code"%s*:%s*"([%w_]+)"') or "?"
  end
  tally(op, status, latency, code)
  local s = sessions[index]
  s.busy = false
  if status == 201 and op == "checkout" then
    s.lines = {}
  elseif status >= 200 and status < 300 then
    -- reads only when this thread lost track of the cart (after an error answer)
    if op ~= "get" and op ~= "restore" or s.resync then
      local ids = cart_of(op, body)
      if ids then
        s.lines = ids
        s.resync = false
        if #ids == 0 then
          s.broken = false
        end
      end
    end
  elseif op == "checkout" and code == "out_of_stock" then
    s.broken = true -- its next cart writes remove lines until the cart is empty
  else
    s.resync = true
  end
end

local function percentile(sorted, share)
  if #sorted == 0 then
    return 0
  end
  return sorted[math.min(#sorted, math.floor(share * #sorted) + 1)]
end

local function row(name, count, latencies, statuses)
  table.sort(latencies)
  local parts = {}
  for key, value in pairs(statuses) do
    parts[#parts + 1] = key .. "=" .. value
  end
  table.sort(parts)
  io.write(string.format(
    "MIXED\t%s\t%d\t%.3f\t%.3f\t%.3f\t%.3f\t%s\n", name, count, percentile(latencies, 0.5),
    percentile(latencies, 0.9), percentile(latencies, 0.99), latencies[#latencies] or 0,
    table.concat(parts, ",")))
end

function done(summary, latency, requests)
  local by_op, by_kind = {}, {}
  local function merge(into, name, latencies, answer, n)
    local m = into[name]
    if m == nil then
      m = { count = 0, latencies = {}, statuses = {} }
      into[name] = m
    end
    if latencies then
      m.count = m.count + #latencies
      for _, v in ipairs(latencies) do
        m.latencies[#m.latencies + 1] = v
      end
    end
    if answer then
      m.statuses[answer] = (m.statuses[answer] or 0) + n
    end
  end
  local ops = { "unknown" }
  for op in pairs(KIND) do
    ops[#ops + 1] = op
  end
  for _, thread in ipairs(threads) do
    for _, op in ipairs(ops) do
      local latencies = thread:get("lat_" .. op)
      if latencies then
        merge(by_op, "op:" .. op, latencies)
        merge(by_kind, "kind:" .. (KIND[op] or op), latencies)
        merge(by_kind, "all", latencies)
      end
    end
    for key, n in pairs(thread:get("answers") or {}) do
      local op, answer = key:match("^(%S+) (.+)$")
      merge(by_op, "op:" .. op, nil, answer, n)
      merge(by_kind, "kind:" .. (KIND[op] or op), nil, answer, n)
      merge(by_kind, "all", nil, answer, n)
    end
  end
  io.write(string.format("MIXED_DURATION_US\t%d\n", summary.duration))
  for _, set in ipairs({ by_op, by_kind }) do
    for name, m in pairs(set) do
      row(name, m.count, m.latencies, m.statuses)
    end
  end
end
