-- Settlement for tests/bench/funds.sh: every request confirms the receipt
-- of the next shipped order of the hot shop, which settles it (pending ->
-- available, the service fee to the platform). Each wrk thread walks its
-- own slice of LO..HI, so no order is confirmed twice. done() prints the
-- settlements per second (requests answered 200).
local lo, hi = tonumber(os.getenv("LO")), tonumber(os.getenv("HI"))
local nthreads = tonumber(os.getenv("WRK_THREADS") or "2")

local threads = 0
function setup(thread)
  thread:set("tid", threads)
  threads = threads + 1
end

local first, span, k
function init(args)
  span = math.floor((hi - lo + 1) / nthreads)
  first = lo + tid * span
  k = 0
end

request = function()
  -- wrk checks the script by taking thread 0's first request, which is
  -- never sent: let that be a read, not an order a later count relies on.
  k = k + 1
  if k == 1 then
    return wrk.format("GET", "/v1/me")
  end
  -- A used-up slice confirms its last order again: refused, not counted.
  return wrk.format("POST", "/v1/orders/" .. (first + math.min(k - 2, span - 1)) ..
                            "/confirm-receipt")
end

function done(summary, latency, requests)
  io.write(string.format("settled %.1f\n", (summary.requests - summary.errors.status) /
                                             (summary.duration / 1e6)))
  io.write(string.format("p50 %.2f\n", latency:percentile(50) / 1000))
end
