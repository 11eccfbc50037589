-- wrk script: POST a new, unique guest comment on each request.
counter = 0
local thread_id = 0
function setup(thread)
  thread_id = thread_id + 1
  thread:set("tid", thread_id)
end
function request()
  counter = counter + 1
  local body = string.format(
    '{"site":"bench","story_url":"https://bench.example/s/%d","body":"Load test comment %d-%d about the reopening of the rail line and what it means for trade.","author_name":"Load","author_email":"load%d-%d@example.org"}',
    counter % 500, tid, counter, tid, counter)
  return wrk.format("POST", "/api/v1/comments", {["Content-Type"] = "application/json"}, body)
end
function done(summary, latency, requests)
  local secs = summary.duration / 1e6
  io.write(string.format("RESULT requests=%d rps=%.1f p50_ms=%.2f p99_ms=%.2f errors_status=%d errors_socket=%d\n",
    summary.requests, summary.requests / secs, latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
