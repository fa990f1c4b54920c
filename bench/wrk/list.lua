-- GET the customer list with a search term (QUERY, URL-encoded) and an auth header.
local token = os.getenv("TOKEN")
local query = os.getenv("QUERY") or "q=acme%20bakery"
request = function()
  return wrk.format("GET", "/api/v1/customers?" .. query, { ["Authorization"] = "Bearer " .. token })
end
dofile("bench/wrk/report.lua")
