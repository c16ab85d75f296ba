-- GET /v1/shops/SHOP/orders/<random id in LO..HI>.
local shop = os.getenv("SHOP")
local lo, hi = tonumber(os.getenv("LO")), tonumber(os.getenv("HI"))
request = function()
  return wrk.format("GET", "/v1/shops/" .. shop .. "/orders/" .. math.random(lo, hi))
end
