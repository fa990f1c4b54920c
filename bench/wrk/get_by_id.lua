-- GET /api/v1/customers/{random id in 1..MAX_ID}; MAX_ID and TOKEN come from the environment.
local max_id = tonumber(os.getenv("MAX_ID") or "100000")
local token = os.getenv("TOKEN")
math.randomseed(os.time())
request = function()
  local id = math.random(1, max_id)
  return wrk.format("GET", "/api/v1/customers/" .. id, { ["Authorization"] = "Bearer " .. token })
end
dofile("bench/wrk/report.lua")
