-- Continuous logins spread over USERS accounts named load0..loadN-1.
local users = tonumber(os.getenv("USERS") or "16")
local n = 0
request = function()
  n = n + 1
  local body = string.format('{"username":"load%d","password":"password-123","device":"bench"}',
                             n % users)
  return wrk.format("POST", "/v1/auth/login", {["Content-Type"] = "application/json"}, body)
end
