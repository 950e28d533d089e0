-- Shared by bench/wrk/page.lua and bench/wrk/concern.lua (bench/load.py): one machine-readable line at
-- the end with what `wrk --latency` leaves out: p95, every error kind, and the answers by status code.
-- Each wrk thread has its own Lua state: done() runs in another, so it reads the threads' tallies.
threads = {}
statuses = {}
reused = 0

function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end

function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end

function done(summary, latency, requests)
  local totals, again = {}, 0
  for _, thread in ipairs(threads) do
    for status, count in pairs(thread:get("statuses")) do
      totals[status] = (totals[status] or 0) + count
    end
    again = again + thread:get("reused")
  end
  local counts = {}
  for status, count in pairs(totals) do
    table.insert(counts, status .. "=" .. count)
  end
  local e = summary.errors
  io.write(string.format(
    "RESULT requests=%d us=%d p50=%d p95=%d p99=%d max=%d connect=%d read=%d write=%d timeout=%d status=%d"
      .. " reused=%d codes=%s\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(95), latency:percentile(99),
    latency.max, e.connect, e.read, e.write, e.timeout, e.status, again, table.concat(counts, ",")))
end
