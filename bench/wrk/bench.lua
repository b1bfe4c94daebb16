-- wrk script of `npm run bench` (bench/wrk.ts runs it). Two modes, chosen by env:
--   BENCH_MODE=static  one fixed request (BENCH_METHOD, BENCH_BODY, BENCH_AUTH): wrk's
--                      precomputed fast path, no Lua per request;
--   BENCH_MODE=misses  every request a new (line, month): BENCH_PAIRS names a file of
--                      "token<TAB>line" lines, BENCH_MONTHS a comma list, BENCH_OFFSET the
--                      first index to use. Index i asks pair floor(i / #months) % #pairs for
--                      month i % #months: a user looks at one month after another (its token
--                      verified once, then cached, as for a real caller), and no two requests
--                      of a run repeat a bill until #pairs * #months requests. Threads
--                      interleave indices.
-- done() prints one line "BENCH_JSON {...}" with counts, latency percentiles (µs),
-- wrk's own CPU ticks (read from /proc/self/stat: all its threads) and the highest
-- index used, so the next run can start after it.

local mode = os.getenv("BENCH_MODE") or "static"
local contentType = "application/json"

wrk.method = os.getenv("BENCH_METHOD") or "GET"
wrk.headers["Content-Type"] = contentType
local auth = os.getenv("BENCH_AUTH")
if auth and auth ~= "" then wrk.headers["Authorization"] = "Bearer " .. auth end
local body = os.getenv("BENCH_BODY")
if body and body ~= "" then wrk.body = body end

local threads = {}
local threadCount = 0

function setup(thread)
  thread:set("id", threadCount)
  threadCount = threadCount + 1
  table.insert(threads, thread)
end

if mode == "misses" then
  local pairs_, months = {}, {}
  local step = 1
  -- global: done() reads it from each thread with thread:get
  nextIndex = 0
  local headers = { ["Content-Type"] = contentType }
  local path

  function init(args)
    for l in io.lines(os.getenv("BENCH_PAIRS")) do
      local token, line = l:match("^(%S+)\t(%S+)$")
      if token then table.insert(pairs_, { token, line }) end
    end
    for m in string.gmatch(os.getenv("BENCH_MONTHS"), "[^,]+") do table.insert(months, m) end
    step = tonumber(os.getenv("BENCH_THREADS"))
    nextIndex = tonumber(os.getenv("BENCH_OFFSET") or "0") + id
    path = wrk.path
  end

  function request()
    local i = nextIndex
    nextIndex = nextIndex + step
    local p = pairs_[(math.floor(i / #months) % #pairs_) + 1]
    local m = months[(i % #months) + 1]
    headers["Authorization"] = "Bearer " .. p[1]
    return wrk.format("POST", path, headers, '{"lineNumber":"' .. p[2] .. '","inquiryMonth":"' .. m .. '"}')
  end
end

local function cpuTicks()
  local f = io.open("/proc/self/stat", "r")
  if not f then return -1 end
  local stat = f:read("*a")
  f:close()
  local fields = {}
  for v in string.gmatch(stat:match(".*%) (.*)"), "%S+") do table.insert(fields, v) end
  -- after "(comm) ": field 1 is state; utime and stime are fields 12 and 13
  return tonumber(fields[12]) + tonumber(fields[13])
end

function done(summary, latency, requests)
  local maxIndex = -1
  for _, t in ipairs(threads) do
    local n = t:get("nextIndex")
    if n and n - 1 > maxIndex then maxIndex = n - 1 end
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_JSON {"requests":%d,"durationUs":%d,"bytes":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latencyUs":{"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d,"mean":%.1f},"cpuTicks":%d,"maxIndex":%d}\n',
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.max, latency.mean, cpuTicks(), maxIndex))
end
