-- wrk script: stop once this thread has had N responses (wrk -t1 -s count_stop.lua URL -- N [FILE]),
-- so a run sends (about) N requests whatever the rate. wrk's main thread still sleeps for -d, so
-- the script writes FILE when it is done and the caller (suite.py) stops wrk with SIGINT, which
-- makes it print its figures at once.
local limit = 1000000
local marker = nil
local seen = 0

init = function(args)
  limit = tonumber(args[1]) or limit
  marker = args[2]
end

response = function(status, headers, body)
  seen = seen + 1
  if seen == limit then
    if marker then
      local f = io.open(marker, "w")
      if f then f:write(tostring(seen)); f:close() end
    end
    wrk.thread:stop()
  end
end
