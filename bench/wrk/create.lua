-- POST /api/v1/customers with a primary contact; every request a new name and email.
local token = os.getenv("TOKEN")
local counter = 0
local tag = tostring(math.random(1, 1e9))
setup = function(thread)
  thread:set("tag", tostring(math.random(1, 1e9)))
end
request = function()
  counter = counter + 1
  local body = string.format(
    '{"customer_name":"Bench %s-%d","primary_contact":{"first_name":"Bench","last_name":"User","email":"bench.%s.%d@load.test","phone":"+61 7 5555 %04d"}}',
    tag, counter, tag, counter, counter % 10000)
  return wrk.format("POST", "/api/v1/customers",
    { ["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json" }, body)
end
dofile("bench/wrk/report.lua")
