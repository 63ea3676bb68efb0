-- wrk script for the HTTP gateway: each request adds 1 to (or, with GRANARY_METHOD=get,
-- reads) one of 1000 counters, chosen at random, so connections do not queue on one grain.
--   wrk -t2 -c64 -d10s -s host/bench/http-load.lua http://127.0.0.1:7080
local method = os.getenv("GRANARY_METHOD") or "add"
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
if method == "add" then
  wrk.body = '{"n":1}'
end
request = function()
  local path = "/v1/grains/counter/http-" .. math.random(0, 999) .. "/" .. method
  return wrk.format(nil, path)
end
