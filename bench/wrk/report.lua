-- Shared by the scenario scripts: prints the error count that bench/load.sh reads.
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("non-2xx or socket errors: %d\n", e.status + e.connect + e.read + e.write + e.timeout))
end
