-- POST /session/start for customers that already have an active session: rotates over the
-- phones in a file (one per line) and channels web, kiosk, app. Each request joins the
-- customer's session and issues a new token.
-- Usage: wrk -s start_existing.lua URL -- PHONES_FILE

local thread_count = 0
local channels = { "web", "kiosk", "app" }

function setup(thread)
  thread:set("id", thread_count)
  thread_count = thread_count + 1
end

function init(args)
  local file = assert(io.open(args[1], "r"))
  requests = {}
  for phone in file:lines() do
    if phone ~= "" then
      local body = string.format(
        '{"phone":"%s","channel":"%s"}', phone, channels[#requests % 3 + 1])
      requests[#requests + 1] =
        wrk.format("POST", nil, { ["Content-Type"] = "application/json" }, body)
    end
  end
  file:close()
  assert(#requests > 0, "no phones in " .. args[1])
  i = (id * 97) % #requests
end

function request()
  i = i % #requests + 1
  return requests[i]
end
