-- wrk script: 16 pipelined GETs of the URL's path per write (wrk -s pipeline.lua URL [-- N]).
-- wrk counts every response, so requests/s is per request; its latency figures are per batch.
local depth = 16
local batch

init = function(args)
  depth = tonumber(args[1]) or depth
  local r = {}
  for i = 1, depth do r[i] = wrk.format(nil, nil) end
  batch = table.concat(r)
end

request = function()
  return batch
end
