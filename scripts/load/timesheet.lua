-- wrk: teachers opening their group's табель for the month.
local targets = dofile(os.getenv("TABEL_LOAD_TARGETS") or "targets.lua")
local month = os.getenv("TABEL_LOAD_MONTH") or "2026-11"
local counter = 0
local thread_offset = 0

function setup(thread)
  thread:set("thread_offset", math.random(1, #targets))
end

function request()
  counter = counter + 1
  local t = targets[(counter + thread_offset) % #targets + 1]
  return wrk.format("POST", "/api/timesheet", {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = t.cookie,
  }, "group_id=" .. t.group .. "&month=" .. month)
end

function response(status, headers, body)
  if status ~= 200 then io.stderr:write("HTTP " .. status .. ": " .. body:sub(1, 200) .. "\n") end
end
