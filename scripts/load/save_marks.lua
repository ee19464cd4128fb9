-- wrk: the morning peak. Each request is one teacher saving the whole group's day
-- (as the tablet does); a request alternates the group between all present and all
-- absent, so every mark in it is a real write with its audit row.
local targets = dofile(os.getenv("TABEL_LOAD_TARGETS") or "targets.lua")
local counter = 0
local thread_offset = 0
local failures = 0
-- A tablet's pause between two saves (ms): 0 saturates the server (closed loop); with a
-- pause, the connections offer a fixed rate like real tablets and latency shows what a
-- teacher waits.
local think = tonumber(os.getenv("TABEL_LOAD_THINK_MS") or "0")

function delay()
  if think > 0 then return math.random(math.floor(think / 2), math.floor(think * 3 / 2)) end
  return 0
end

function setup(thread)
  thread:set("thread_offset", math.random(1, #targets))
end

function request()
  counter = counter + 1
  local t = targets[(counter + thread_offset) % #targets + 1]
  local body = t.bodies[(math.floor(counter / #targets) % 2) + 1]
  return wrk.format("POST", "/api/save_marks", {
    ["Content-Type"] = "application/json",
    ["Cookie"] = t.cookie,
  }, body)
end

function response(status, headers, body)
  if status ~= 200 then
    failures = failures + 1
    if failures <= 3 then io.stderr:write("HTTP " .. status .. ": " .. body:sub(1, 200) .. "\n") end
  end
end
