-- Sends METHOD <url> with an X-Session-Token header rotating over the tokens in a file
-- (one per line), so the load spreads over many sessions instead of one hot row.
-- Usage: wrk -s tokens.lua URL -- TOKENS_FILE [GET|POST]

local thread_count = 0

function setup(thread)
  thread:set("id", thread_count)
  thread_count = thread_count + 1
end

function init(args)
  local method = args[2] or "GET"
  local file = assert(io.open(args[1], "r"))
  requests = {}
  for token in file:lines() do
    if token ~= "" then
      -- Requests are formatted once here so request() costs wrk almost nothing.
      requests[#requests + 1] = wrk.format(method, nil, { ["X-Session-Token"] = token })
    end
  end
  file:close()
  assert(#requests > 0, "no tokens in " .. args[1])
  -- Each thread starts at a different place in the list.
  i = (id * 97) % #requests
end

function request()
  i = i % #requests + 1
  return requests[i]
end
