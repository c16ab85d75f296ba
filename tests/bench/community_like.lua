-- PUT then DELETE /v1/community/articles/<ARTICLE>/like, each request by
-- the next merchant of TOKENS (lines "<anything> <token>", as
-- chat_client.py sessions writes them): a merchant's first request likes,
-- its next unlikes, so every request changes a like and the counter. wrk's
-- threads take disjoint shares of the merchants (THREADS of them), so no
-- two requests in flight toggle the same like.
local article = os.getenv("ARTICLE")
local nthreads = tonumber(os.getenv("THREADS") or "2")
local all = {}
for line in io.lines(os.getenv("TOKENS")) do
  local t = line:match("^%S+%s+(%S+)")
  if t then all[#all + 1] = "Bearer " .. t end
end
local threads = 0
setup = function(thread)
  thread:set("index", threads)
  threads = threads + 1
end
local mine, k = {}, 0
init = function()
  for i = 1, #all do
    if (i - 1) % nthreads == index then mine[#mine + 1] = all[i] end
  end
end
request = function()
  local n = #mine
  local token = mine[k % n + 1]
  local method = (math.floor(k / n) % 2 == 0) and "PUT" or "DELETE"
  k = k + 1
  return wrk.format(method, "/v1/community/articles/" .. article .. "/like",
                    { Authorization = token })
end
