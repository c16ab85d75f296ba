-- POST /v1/promotions/clicks of the impressions in lines LO..HI of
-- IMPRESSIONS ("visitor_id impression_id", as promotion_impressions.lua
-- writes them), each once while they last: thread k of T (-t T) takes lines
-- k, k + T, ... After the last one it starts over, and those clicks are
-- replays (200, nothing charged).
local lo, hi, nthreads = tonumber(os.getenv("LO")), tonumber(os.getenv("HI")), tonumber(os.getenv("T"))
local bodies = {}
local i = 0
for line in io.lines(os.getenv("IMPRESSIONS")) do
  i = i + 1
  if i >= lo and i <= hi then
    local v, t = line:match("^(%S+) (%S+)")
    bodies[#bodies + 1] = '{"impression_id":"' .. t .. '","visitor_id":"' .. v .. '"}'
  end
end
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("id", threads)
end
init = function() k = id - 1 end
request = function()
  local b = bodies[(k % #bodies) + 1]
  k = k + nthreads
  return wrk.format("POST", "/v1/promotions/clicks", { ["Content-Type"] = "application/json" }, b)
end
