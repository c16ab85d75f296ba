-- POST /v1/coupons/<id>/claim as a random buyer of TOKENS (lines
-- "<anything> <token>", as chat_client.py sessions writes them); the coupon
-- is a random id in LO..HI (LO = HI: one hot coupon). No body.
local lo, hi = tonumber(os.getenv("LO")), tonumber(os.getenv("HI"))
local tokens = {}
for line in io.lines(os.getenv("TOKENS")) do
  local t = line:match("^%S+%s+(%S+)")
  if t then tokens[#tokens + 1] = "Bearer " .. t end
end
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("seed", threads)
end
init = function()
  -- Each thread its own sequence of buyers and coupons.
  math.randomseed(os.time() * 100 + seed)
end
request = function()
  return wrk.format("POST", "/v1/coupons/" .. math.random(lo, hi) .. "/claim",
                    { Authorization = tokens[math.random(#tokens)] })
end
