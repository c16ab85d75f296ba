-- POST /v1/conversations/<random id in LO..HI>/messages: a text message
-- from the shop's merchant (the Authorization header comes from wrk -H;
-- wrk.format uses wrk.headers only when given no headers of its own).
local lo, hi = tonumber(os.getenv("LO")), tonumber(os.getenv("HI"))
local body = '{"type":"text","text":"亲，今天下单明天发货哦"}'
init = function()
  wrk.headers["Content-Type"] = "application/json"
end
request = function()
  return wrk.format("POST", "/v1/conversations/" .. math.random(lo, hi) .. "/messages", nil, body)
end
