-- GET the customer list with a search term (QUERY, URL-encoded) and an auth header.
local token = os.getenv("TOKEN")
local query = os.getenv("QUERY") or "q=acme%20bakery"
request = function()
  return wrk.format("GET", "/api/v1/customers?" .. query, { ["Authorization"] = "Bearer " .. token })
end
done = function(summary, latency, requests)
  local errors = summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("non-2xx or socket errors: %d\n", errors))
end
