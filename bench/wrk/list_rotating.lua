-- GET the customer list searching for a different broad term on every request: every
-- substring of 4+ letters of the generator's surnames (each surname is on about 5,500 of
-- 100,000 customers), in turn. There are far more terms than the server's 32 cached searches,
-- so every request pays for a search from scratch.
local token = os.getenv("TOKEN")
local surnames = { "anderson", "brown", "chen", "dorsey", "evans", "fischer", "garcia", "huang",
  "ivanova", "jones", "kowalski", "lopez", "muller", "nguyen", "patel", "quinn", "rossi" }
local terms = {}
for _, s in ipairs(surnames) do
  for len = 4, #s do
    for i = 1, #s - len + 1 do
      terms[#terms + 1] = s:sub(i, i + len - 1)
    end
  end
end
-- wrk's threads would walk the list in step and find each other's searches cached: start
-- each one half the list away.
local started = 0
setup = function(thread)
  thread:set("offset", started * 50)
  started = started + 1
end
local n = nil
request = function()
  n = n or offset or 0
  n = n + 1
  local term = terms[(n % #terms) + 1]
  return wrk.format("GET", "/api/v1/customers?q=" .. term, { ["Authorization"] = "Bearer " .. token })
end
dofile("bench/wrk/report.lua")
