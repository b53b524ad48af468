-- wrk script of scripts/bench-http. Read from the environment:
--   BENCH_EXPECT   the status every answer must have (default 200)
--   BENCH_COOKIES  session ids separated by spaces, spread over the requests
--                  (each connection cycles through all of them)
--   BENCH_HEADERS  extra request headers, one "Name: value" a line
-- done() prints one machine-readable line, BENCH …, that the script parses:
-- requests, duration, p50 and p99 in microseconds, and the answers whose
-- status was not the expected one (a benchmark of 302s or 403s is worthless).

local threads = {}

function setup(thread)
   thread:set("id", #threads)
   table.insert(threads, thread)
end

function init(args)
   expect = tonumber(os.getenv("BENCH_EXPECT") or "200")
   bad = 0
   local base = {}
   for line in (os.getenv("BENCH_HEADERS") or ""):gmatch("[^\n]+") do
      local k, v = line:match("^([^:]+):%s*(.-)%s*$")
      if k then base[k] = v end
   end
   reqs = {}
   for c in (os.getenv("BENCH_COOKIES") or ""):gmatch("%S+") do
      local h = {}
      for k, v in pairs(base) do h[k] = v end
      h["Cookie"] = "gatehouse_session=" .. c
      table.insert(reqs, wrk.format(nil, nil, h))
   end
   if #reqs == 0 then
      reqs[1] = wrk.format(nil, nil, base)
   end
   -- Threads start at different sessions.
   n = id * 7
end

function request()
   n = n + 1
   return reqs[(n % #reqs) + 1]
end

function response(status, headers, body)
   if status ~= expect then
      bad = bad + 1
   end
end

function done(summary, latency, requests)
   local b = 0
   for _, t in ipairs(threads) do
      b = b + t:get("bad")
   end
   local e = summary.errors
   io.write(string.format("BENCH requests=%d duration_us=%d p50_us=%d p99_us=%d bad=%d errors=%d\n",
      summary.requests, summary.duration, latency:percentile(50), latency:percentile(99), b,
      e.connect + e.read + e.write + e.timeout))
end
