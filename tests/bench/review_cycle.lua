-- Hold / release cycles for tests/bench/review.sh. Each wrk thread walks its
-- own slice of the paid orders LO..HI: it holds the next order and releases
-- the one it held LAG holds before (done long since), so the two requests
-- of a cycle never race each other, and an order released is held again
-- when the slice wraps around. HOT=1: every request is on order LO,
-- alternately hold and release; of two racing requests one is refused.
-- done() prints the cycles per second whose two requests succeeded.
local lo, hi = tonumber(os.getenv("LO")), tonumber(os.getenv("HI"))
local nthreads = tonumber(os.getenv("WRK_THREADS") or "2")
local lag = tonumber(os.getenv("LAG") or "256")
local hot = os.getenv("HOT") == "1"
local hold_body = '{"reason":"bench hold"}'
local release_body = '{}'

local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

local first, span, holds, releases, k
function init(args)
  span = math.floor((hi - lo + 1) / nthreads)
  first = lo + tid * span
  lag = math.min(lag, math.floor(span / 2))
  holds, releases, k = 0, 0, 0
  wrk.headers["Content-Type"] = "application/json"
end

local function post(order, action, body)
  return wrk.format("POST", "/v1/review/orders/" .. order .. "/" .. action, nil, body)
end

request = function()
  -- wrk checks the script by taking thread 0's first request, which is
  -- never sent: let that be a read, not a hold a later release counts on.
  k = k + 1
  if k == 1 then
    return wrk.format("GET", "/v1/review/orders?limit=1")
  end
  if hot then
    if k % 2 == 0 then
      return post(lo, "hold", hold_body)
    end
    return post(lo, "release", release_body)
  end
  if holds - releases >= lag then
    releases = releases + 1
    return post(first + (releases - 1) % span, "release", release_body)
  end
  holds = holds + 1
  return post(first + (holds - 1) % span, "hold", hold_body)
end

function done(summary, latency, requests)
  local ok = summary.requests - summary.errors.status
  io.write(string.format("cycles %.1f\n", ok / 2 / (summary.duration / 1e6)))
  io.write(string.format("refused %d of %d\n", summary.errors.status, summary.requests))
end
