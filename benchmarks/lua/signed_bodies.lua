-- POSTs pre-signed webhook deliveries from a file, each once per thread (then it wraps round,
-- and the repeats are redeliveries).  One line per delivery: "<header value>\t<json body>".
-- With PAUSE_MS, each connection waits that long after every answer before its next delivery:
-- the connections' deliveries arrive together in waves (paced, not flat out).
-- Usage: wrk -s signed_bodies.lua URL -- BODIES_FILE HEADER_NAME [PAUSE_MS]

local thread_count = 0

function setup(thread)
  thread:set("id", thread_count)
  thread:set("threads", 0)
  thread_count = thread_count + 1
end

function init(args)
  local header = args[2]
  local file = assert(io.open(args[1], "r"))
  requests = {}
  local n = 0
  for line in file:lines() do
    n = n + 1
    -- Threads take alternate lines, so no two threads send the same delivery.
    if n % 2 == id % 2 then
      local tab = line:find("\t", 1, true)
      local headers = { ["Content-Type"] = "application/json" }
      headers[header] = line:sub(1, tab - 1)
      requests[#requests + 1] = wrk.format("POST", nil, headers, line:sub(tab + 1))
    end
  end
  file:close()
  assert(#requests > 0, "no deliveries in " .. args[1])
  i = 0
  pause = tonumber(args[3] or "0")
end

function delay()
  return pause
end

function request()
  i = i % #requests + 1
  return requests[i]
end
