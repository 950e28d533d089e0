-- POST the concern form's final "check your answers" page, each with a fresh form token (bench/load.py).
-- The file named after `--` holds the url-encoded answers on its first line, then one unused token a
-- line; thread n of N takes every Nth token from the nth, so no two requests share one.
package.path = debug.getinfo(1, "S").source:match("@(.*/)") .. "?.lua;" .. package.path
require "report"

local answers = nil
local tokens = {}
local sent = 0

function init(args)
  local count = tonumber(args[2] or "1")
  local n = 0
  for line in io.lines(args[1]) do
    if answers == nil then
      answers = line
    else
      if n % count == id then table.insert(tokens, line) end
      n = n + 1
    end
  end
end

function request()
  sent = sent + 1
  if sent > #tokens then
    reused = reused + 1 -- out of tokens: a resend, which stores nothing; bench/load.py reports it
  end
  local headers = {["Content-Type"] = "application/x-www-form-urlencoded"}
  local body = answers .. "&token=" .. tokens[(sent - 1) % #tokens + 1]
  return wrk.format("POST", "/en/share-a-concern", headers, body)
end
