-- POST /session/start with a phone never used before on every request, so each request
-- creates a customer and a session. Phones are +917 S T NNNNNNN: S = run salt (argument),
-- T = wrk thread number, N = per-thread counter; threads and runs never collide.
-- Channels rotate among web, kiosk and app.
-- Usage: wrk -s start_new.lua URL -- SALT_DIGIT

local thread_count = 0
local channels = { "web", "kiosk", "app" }
local headers = { ["Content-Type"] = "application/json" }

function setup(thread)
  thread:set("id", thread_count)
  thread_count = thread_count + 1
end

function init(args)
  salt = tonumber(args[1] or "0") % 10
  n = 0
end

function request()
  n = n + 1
  local phone = string.format("+917%d%d%07d", salt, id % 10, n)
  local body = string.format('{"phone":"%s","channel":"%s"}', phone, channels[n % 3 + 1])
  return wrk.format("POST", nil, headers, body)
end
