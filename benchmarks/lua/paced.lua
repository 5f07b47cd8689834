-- GET the URL, each connection pausing PAUSE_MS after every answer (the paced baseline).
-- Usage: wrk -s paced.lua URL -- PAUSE_MS

function init(args)
  pause = tonumber(args[1] or "0")
end

function delay()
  return pause
end
