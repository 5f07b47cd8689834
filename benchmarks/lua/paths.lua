-- Sends GET requests rotating over the paths in a file (one per line, with their query
-- strings), optionally with an X-Session-Token rotating over a second file, so the load is a
-- mix of different searches (and customers) rather than one cached answer.
-- Usage: wrk -s paths.lua URL -- PATHS_FILE [TOKENS_FILE]

local thread_count = 0

function setup(thread)
  thread:set("id", thread_count)
  thread_count = thread_count + 1
end

local function lines(name)
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

function init(args)
  local paths = lines(args[1])
  local tokens = args[2] and lines(args[2]) or nil
  requests = {}
  -- Formatted once here so request() costs wrk almost nothing; with tokens, the list pairs
  -- every path with a token (lengths that share no factor give every pairing over time).
  local count = tokens and #paths * #tokens or #paths
  if count > 20000 then count = 20000 end
  for n = 1, count do
    local path = paths[(n - 1) % #paths + 1]
    local headers = nil
    if tokens then
      headers = { ["X-Session-Token"] = tokens[(n - 1) % #tokens + 1] }
    end
    requests[n] = wrk.format("GET", path, headers)
  end
  -- Each thread starts at a different place in the list.
  i = (id * 97) % #requests
end

function request()
  i = i % #requests + 1
  return requests[i]
end
