-- DELETE a different seeded relation on every request ("del<n/1000>" to content <n mod pages + 1>).
-- OFFSET (default 0): where n starts, so that repeated samples delete relations no sample deleted.
local counter = tonumber(os.getenv("OFFSET") or "0")
local pages = tonumber(os.getenv("PAGES") or "1000")
wrk.method = "DELETE"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
request = function()
  counter = counter + 1
  local path = string.format("/wiki/rest/api/relation/del%d/from/user/current/to/content/%d",
                             math.floor(counter / pages), counter % pages + 1)
  return wrk.format(nil, path)
end
