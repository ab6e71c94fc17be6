-- wrk script for bench/pages.py: each request carries one of several logged-in sessions (round robin),
-- given in the environment as BENCH_COOKIE_NAME and BENCH_SESSIONS (comma-separated session keys);
-- at the end it prints one JSON line with the latency percentiles (wrk's --latency has no p95) and how many
-- answers were not 2xx (wrk's own status errors count only 4xx and 5xx; a redirect to sign in is not a page).
local name = os.getenv("BENCH_COOKIE_NAME")
local keys = {}
for key in string.gmatch(os.getenv("BENCH_SESSIONS") or "", "([^,]+)") do
  keys[#keys + 1] = key
end
local counter = 0
local threads = {}
non_2xx = 0

setup = function(thread)
  threads[#threads + 1] = thread
end

response = function(status, headers, body)
  if status < 200 or status > 299 then
    non_2xx = non_2xx + 1
  end
end

request = function()
  counter = counter + 1
  local key = keys[(counter % #keys) + 1]
  return wrk.format("GET", nil, {["Cookie"] = name .. "=" .. key, ["Accept"] = "text/html,application/json",
                                 ["Connection"] = "close"})
end

done = function(summary, latency, requests)
  local ms = function(us) return us / 1000.0 end
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + thread:get("non_2xx")
  end
  io.write(string.format(
    '{"requests": %d, "non_2xx": %d, "duration_s": %.3f, "rps": %.1f, "p50_ms": %.1f, "p90_ms": %.1f, "p95_ms": %.1f, ' ..
    '"p99_ms": %.1f, "max_ms": %.1f, "mean_ms": %.1f, "errors": {"connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d}}\n',
    summary.requests, bad, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    ms(latency:percentile(50)), ms(latency:percentile(90)), ms(latency:percentile(95)),
    ms(latency:percentile(99)), ms(latency.max), ms(latency.mean),
    summary.errors.connect, summary.errors.read, summary.errors.write, summary.errors.status,
    summary.errors.timeout))
end
