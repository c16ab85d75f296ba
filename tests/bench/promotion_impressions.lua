-- GET /v1/search/products?q=Q as a new anonymous visitor each time
-- (visitor_id v<thread><n>); writes "visitor_id impression_id" of the first
-- promoted result to OUT/imp.<thread>, and stops the thread after PER
-- searches. Run with one connection per thread (-c = -t), so replies come
-- in the order of the requests and the n of a reply is known, and with a
-- long --timeout: a request wrk gives up on gets no response() call, and
-- every later reply of the thread would be paired with the wrong visitor.
local q, per, dir = os.getenv("Q"), tonumber(os.getenv("PER")), os.getenv("OUT")
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("id", threads)
end
init = function()
  got = 0
  out = io.open(dir .. "/imp." .. id, "w")
  out:setvbuf("line")
end
local function visitor(n) return string.format("v%02d%09d", id, n) end
-- The visitor of a request is that of the next reply, got + 1, not a count
-- of request() calls: wrk calls the first thread's request() once more,
-- before the run, to check it (script_verify_request).
request = function()
  return wrk.format("GET", "/v1/search/products?limit=1&q=" .. q .. "&visitor_id=" .. visitor(got + 1))
end
response = function(status, headers, body)
  got = got + 1
  local t = body:match('"impression_id":"([^"]+)"')
  if t then out:write(visitor(got), " ", t, "\n") end
  if got >= per then
    out:close()
    wrk.thread:stop()
  end
end
