-- wrk script: stop once this thread has had N responses (wrk -t1 -s count_stop.lua URL -- N),
-- so a run sends (about) N requests whatever the rate; also reports non-2xx answers.
local limit = 1000000
local seen = 0

init = function(args)
  limit = tonumber(args[1]) or limit
end

response = function(status, headers, body)
  seen = seen + 1
  if seen >= limit then wrk.thread:stop() end
end
