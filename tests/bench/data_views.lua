-- POST /v1/events/views for tests/bench/data.sh: every request a batch of
-- BATCH (100) views of shop SHOP and its products P0..P1 at the current
-- time, each from a visitor never seen before (v:w<thread>n<request>i<k>),
-- so every view is stored: none is a duplicate of another's visitor,
-- product and minute. done() prints the views sent in requests answered
-- 2xx per second; data.sh counts the rows stored itself.
local shop = os.getenv("SHOP")
local p0, p1 = tonumber(os.getenv("P0")), tonumber(os.getenv("P1"))
local batch = tonumber(os.getenv("BATCH") or "100")
local token = os.getenv("TOKEN")

local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

local n
function init(args)
  n = 0
  math.randomseed(os.time() * 100 + tid)
  wrk.headers["Content-Type"] = "application/json"
  if token and token ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. token
  end
end

request = function()
  n = n + 1
  local at = os.date("!%Y-%m-%dT%H:%M:%SZ")
  local views = {}
  for k = 1, batch do
    local product = "null"
    if k % 4 ~= 0 then product = tostring(math.random(p0, p1)) end
    views[k] = string.format('{"shop_id":%s,"product_id":%s,"visitor":"v:w%dn%di%d","at":"%s"}',
                             shop, product, tid, n, k, at)
  end
  return wrk.format("POST", "/v1/events/views", nil, '{"views":[' .. table.concat(views, ",") .. ']}')
end

function done(summary, latency, requests)
  io.write(string.format("views %.1f\n", (summary.requests - summary.errors.status) * batch /
                                         (summary.duration / 1e6)))
  io.write(string.format("non2xx %d\n", summary.errors.status))
end
