-- wrk script for bench/load.py: each request takes the next path from the command line
-- (after "--"), and every response outside 200-299 is counted by status.
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  paths = args
  counter = math.random(#paths)
  non2xx = 0
  by_status = {}
end

function request()
  counter = counter + 1
  return wrk.format("GET", paths[(counter % #paths) + 1])
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    by_status[status] = (by_status[status] or 0) + 1
  end
end

function done(summary, latency, requests)
  local total = 0
  local statuses = {}
  for _, thread in ipairs(threads) do
    total = total + thread:get("non2xx")
    for status, count in pairs(thread:get("by_status")) do
      statuses[status] = (statuses[status] or 0) + count
    end
  end
  io.write(string.format("non-2xx responses: %d\n", total))
  for status, count in pairs(statuses) do
    io.write(string.format("  HTTP %d: %d\n", status, count))
  end
end
