-- GET the paths listed in a file (one a line, in turn), or the URL's own path, with the headers given by -H;
-- optionally a pause before each request, to hold a rate below the server's peak (bench/server.py's `wrk`).
--   wrk ... -s bench/wrk/paths.lua URL -- [PATHS_FILE] [PAUSE_MS]
package.path = debug.getinfo(1, "S").source:match("@(.*/)") .. "?.lua;" .. package.path
require "report"

paths = {}
pause = 0
n = 0

function init(args)
  if args[1] and args[1] ~= "" then
    for line in io.lines(args[1]) do
      table.insert(paths, line)
    end
  end
  pause = tonumber(args[2] or "0") or 0
end

function request()
  n = n + 1
  if #paths == 0 then
    return wrk.format()
  end
  return wrk.format(nil, paths[(n % #paths) + 1])
end

function delay()
  return pause
end
