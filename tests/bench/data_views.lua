-- POST /v1/events/views for tests/bench/data.sh, as an anonymous app:
-- every request a batch of BATCH (100) views of shop SHOP (every fourth
-- its own page) and its products P0..P1 at the current time, each from a
-- visitor never seen before (visitor_id wrk<thread>n<request>i<k>), so
-- every view is stored: none repeats another's visitor, product and
-- minute. done() prints the views sent in requests answered 2xx per
-- second; data.sh counts the rows stored itself.
local shop = os.getenv("SHOP")
local p0, p1 = tonumber(os.getenv("P0")), tonumber(os.getenv("P1"))
local batch = tonumber(os.getenv("BATCH") or "100")

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
end

request = function()
  n = n + 1
  local at = os.date("!%Y-%m-%dT%H:%M:%SZ")
  local views = {}
  for k = 1, batch do
    local product = "null"
    if k % 4 ~= 0 then product = tostring(math.random(p0, p1)) end
    views[k] = string.format('{"shop_id":%s,"product_id":%s,"visitor_id":"wrk%dn%di%d","at":"%s"}',
                             shop, product, tid, n, k, at)
  end
  return wrk.format("POST", "/v1/events/views", nil, '{"views":[' .. table.concat(views, ",") .. ']}')
end

function done(summary, latency, requests)
  io.write(string.format("views %.1f\n", (summary.requests - summary.errors.status) * batch /
                                         (summary.duration / 1e6)))
  io.write(string.format("non2xx %d\n", summary.errors.status))
end
