-- POST /v1/promotions/clicks of the impressions in lines LO..HI of
-- IMPRESSIONS ("visitor_id impression_id", as promotion_impressions.lua
-- writes them), each once while they last: thread k of T (-t T) takes lines
-- k, k + T, ... After the last one it starts over, and those clicks are
-- replays (200, nothing charged). done() prints
-- "status <code> <replies>" for each status other than 200.
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
local threads = {}
setup = function(thread)
  threads[#threads + 1] = thread
  thread:set("id", #threads)
end
init = function()
  k = id - 1
  codes = {}
end
request = function()
  local b = bodies[(k % #bodies) + 1]
  k = k + nthreads
  return wrk.format("POST", "/v1/promotions/clicks", { ["Content-Type"] = "application/json" }, b)
end
response = function(status)
  if status ~= 200 then codes[status] = (codes[status] or 0) + 1 end
end
done = function()
  local all = {}
  for _, t in ipairs(threads) do
    for code, n in pairs(t:get("codes")) do all[code] = (all[code] or 0) + n end
  end
  for code, n in pairs(all) do print("status " .. code .. " " .. n) end
end
