-- wrk script for bench/pages.py: each request carries one of several logged-in sessions (round robin),
-- given in the environment as BENCH_COOKIE_NAME and BENCH_SESSIONS (comma-separated session keys);
-- at the end it prints one JSON line with the latency percentiles (wrk's --latency has no p95).
local name = os.getenv("BENCH_COOKIE_NAME")
local keys = {}
for key in string.gmatch(os.getenv("BENCH_SESSIONS") or "", "([^,]+)") do
  keys[#keys + 1] = key
end
local counter = 0

request = function()
  counter = counter + 1
  local key = keys[(counter % #keys) + 1]
  return wrk.format("GET", nil, {["Cookie"] = name .. "=" .. key, ["Accept"] = "text/html,application/json",
                                 ["Connection"] = "close"})
end

done = function(summary, latency, requests)
  local ms = function(us) return us / 1000.0 end
  io.write(string.format(
    '{"requests": %d, "duration_s": %.3f, "rps": %.1f, "p50_ms": %.1f, "p90_ms": %.1f, "p95_ms": %.1f, ' ..
    '"p99_ms": %.1f, "max_ms": %.1f, "mean_ms": %.1f, "errors": {"connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d}}\n',
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(95)),
    ms(latency:percentile(99)), ms(latency.max), ms(latency.mean),
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status,
    summary.errors.timeout))
end
