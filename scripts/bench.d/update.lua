-- wrk script for the "update" scenario: PUT /awsconnections/{id} with the version the server
-- last returned for that id, so that no request is answered 409.
--
-- How: the seeding step wrote "id version" lines to $BENCH_UPDATE_IDS. setup() (main Lua
-- state, once per thread) hands each thread a disjoint slice of those ids. In the thread,
-- request() takes an id that is not in flight and sends its version; response() reads
-- "connectionId" and "version" from the 200 body and frees the id with the new version.
-- This is race-free because wrk keeps one request in flight per connection and calls
-- response() before it asks request() for that connection's next request, and because each
-- thread owns more ids than it has connections.
--
-- Why each thread needs a spare id: before the run, wrk calls request() once in thread 0 to
-- check the script's output. That request is never sent, so its id never comes back.
-- scripts/bench seeds (connections per thread + 1) ids per thread for this reason.
--
-- A 409 problem does not name the connection, so a conflicting id stays "in flight" for the
-- rest of the run; that is fine because the run is only valid with zero conflicts. If a
-- thread ever has no free id it sends a GET that answers 404 and counts it as "starved".

local ids_path = os.getenv("BENCH_UPDATE_IDS")
local thread_count = tonumber(os.getenv("BENCH_THREADS") or "")

-- Main state: every thread object, so that done() can add up the per-thread counters.
local threads = {}
local all_ids = nil

local function read_seeded_ids()
   local ids = {}
   local file = assert(io.open(ids_path, "r"), "cannot open BENCH_UPDATE_IDS " .. tostring(ids_path))
   for line in file:lines() do
      local id, version = line:match("^(%w+)%s+(%d+)%s*$")
      if id then ids[#ids + 1] = id .. ":" .. version end
   end
   file:close()
   return ids
end

function setup(thread)
   assert(thread_count and thread_count > 0, "set BENCH_THREADS to wrk's thread count")
   if all_ids == nil then all_ids = read_seeded_ids() end
   local index = #threads -- 0-based index of this thread
   threads[index + 1] = thread
   local mine = {}
   for i = index + 1, #all_ids, thread_count do mine[#mine + 1] = all_ids[i] end
   -- A plain string crosses between Lua states safely.
   thread:set("bench_ids", table.concat(mine, ","))
end

-- Thread state. Globals, so that done() can read them with thread:get().
conflicts = 0
starved = 0

local free = {}    -- ids with no request in flight (used as a stack)
local version = {} -- id -> version the server last reported

local collection = nil
local headers = nil

function init(args)
   for entry in string.gmatch(bench_ids or "", "[^,]+") do
      local id, v = entry:match("^(%w+):(%d+)$")
      version[id] = tonumber(v)
      free[#free + 1] = id
   end
   collection = wrk.path
   headers = wrk.headers
   headers["Content-Type"] = "application/json"
end

function request()
   local id = table.remove(free)
   if id == nil then
      starved = starved + 1
      return wrk.format("GET", collection .. "/bench-no-free-id", headers)
   end
   local body = string.format('{"name":"bench-update","version":%d}', version[id])
   return wrk.format("PUT", collection .. "/" .. id, headers, body)
end

function response(status, response_headers, body)
   if status == 409 then conflicts = conflicts + 1 end
   local id = body:match('"connectionId"%s*:%s*"(%w+)"')
   local v = body:match('"version"%s*:%s*(%d+)') or body:match('"currentVersion"%s*:%s*(%d+)')
   if id and v and version[id] then
      version[id] = tonumber(v)
      free[#free + 1] = id
   end
end

function done(summary, latency, requests)
   local total_conflicts, total_starved = 0, 0
   for _, thread in ipairs(threads) do
      total_conflicts = total_conflicts + (tonumber(thread:get("conflicts")) or 0)
      total_starved = total_starved + (tonumber(thread:get("starved")) or 0)
   end
   io.write(string.format("bench-update: conflicts=%d starved=%d\n", total_conflicts, total_starved))
end
