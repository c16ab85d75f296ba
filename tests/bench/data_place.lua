-- Order placement for tests/bench/data.sh: buyers of TOKENS (lines
-- "<buyer id> <token>", as chat_client.py sessions writes them) place an
-- order of one SKU drawn from SKU0..SKU1 of shop SHOP (POST /v1/orders),
-- then pay it (POST /v1/orders/{id}/pay). A thread pays the orders its
-- connections placed before placing more; the reply to a placement names
-- the order and its buyer, whose token pays it. done() prints the orders
-- placed (201) and paid (200) per second.
local shop = os.getenv("SHOP")
local sku0, sku1 = tonumber(os.getenv("SKU0")), tonumber(os.getenv("SKU1"))
local tokens, ids = {}, {}
for line in io.lines(os.getenv("TOKENS")) do
  local id, t = line:match("^(%d+)%s+(%S+)")
  if t then
    tokens[id] = "Bearer " .. t
    ids[#ids + 1] = id
  end
end
local address = '"address":{"name":"张三","phone":"13800138000","province":"广东省",' ..
                '"city":"深圳市","district":"南山区","detail":"科技园 1 号"}'

-- Each thread counts in its own globals; done() sums them.
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  threads[#threads + 1] = thread
end

local unpaid
function init(args)
  math.randomseed(os.time() * 100 + tid)
  unpaid, placed, paid = {}, 0, 0
end

request = function()
  local o = table.remove(unpaid)
  if o then
    return wrk.format("POST", "/v1/orders/" .. o.id .. "/pay", { Authorization = tokens[o.buyer] })
  end
  local buyer = ids[math.random(#ids)]
  local body = '{"shop_id":' .. shop .. ',"items":[{"sku_id":' .. math.random(sku0, sku1) ..
               ',"quantity":1}],' .. address .. '}'
  return wrk.format("POST", "/v1/orders",
                    { Authorization = tokens[buyer], ["Content-Type"] = "application/json" }, body)
end

response = function(status, headers, body)
  if status == 201 then
    local id = body:match('^{"id":(%d+)')
    local buyer = body:match('"buyer":{"id":(%d+)')
    if id and buyer then
      unpaid[#unpaid + 1] = { id = id, buyer = buyer }
    end
    placed = placed + 1
  elseif status == 200 then
    paid = paid + 1
  end
end

function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  local p, d = 0, 0
  for _, t in ipairs(threads) do
    p = p + t:get("placed")
    d = d + t:get("paid")
  end
  io.write(string.format("placed %.1f\n", p / secs))
  io.write(string.format("paid %.1f\n", d / secs))
  io.write(string.format("non2xx %d\n", summary.errors.status))
end
