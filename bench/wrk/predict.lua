-- wrk script for LoadBench: POSTs the request bodies $MLDEV_BODIES/0.json .. ($MLDEV_BODY_COUNT - 1).json in
-- turn and prints "key value" lines at the end (latencies in ms; errors: non-200 answers and socket errors).
local bodies = {}
for i = 0, tonumber(os.getenv("MLDEV_BODY_COUNT")) - 1 do
  local file = assert(io.open(os.getenv("MLDEV_BODIES") .. "/" .. i .. ".json", "rb"))
  bodies[#bodies + 1] = file:read("*a")
  file:close()
end
local sent = 0

wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"

request = function()
  sent = sent + 1
  return wrk.format(nil, nil, nil, bodies[(sent % #bodies) + 1])
end

done = function(summary, latency, requests)
  local e = summary.errors
  print(string.format("load_requests %d", summary.requests))
  print(string.format("load_errors %d", e.status + e.connect + e.read + e.write + e.timeout))
  print(string.format("load_requests_per_s %.1f", summary.requests / (summary.duration / 1e6)))
  print(string.format("load_p50_ms %.1f", latency:percentile(50) / 1000))
  print(string.format("load_p99_ms %.1f", latency:percentile(99) / 1000))
end
