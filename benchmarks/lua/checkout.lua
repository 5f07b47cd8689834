-- POST /checkout once per session token in a file (one per line), each with a new
-- Idempotency-Key; the carts were filled beforehand.  Threads take disjoint slices of the
-- list, so no cart is checked out twice.  Running out of tokens shows up as non-2xx answers.
-- Usage: wrk -s checkout.lua URL -- TOKENS_FILE THREADS

local thread_count = 0

function setup(thread)
  thread:set("id", thread_count)
  thread_count = thread_count + 1
end

function init(args)
  local threads = tonumber(args[2])
  local file = assert(io.open(args[1], "r"))
  tokens = {}
  local n = 0
  for token in file:lines() do
    if token ~= "" then
      if n % threads == id then
        tokens[#tokens + 1] = token
      end
      n = n + 1
    end
  end
  file:close()
  i = 0
  wrk.method = "POST"
  wrk.body = '{"payment_method":"upi","fulfillment":{"type":"delivery",'
    .. '"address":{"line1":"12 MG Road","city":"Pune","pincode":"411001"}}}'
end

function request()
  i = i + 1
  local token = tokens[(i - 1) % #tokens + 1]
  return wrk.format(nil, nil, {
    ["Content-Type"] = "application/json",
    ["X-Session-Token"] = token,
    ["Idempotency-Key"] = id .. "-" .. i,
  })
end
