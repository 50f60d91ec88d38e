-- GET a random relation among NAMES x PAGES seeded ones ("get<i>" to content <j>), so lookups
-- spread over the whole table instead of one hot row.
local pages = tonumber(os.getenv("PAGES") or "1000")
local names = tonumber(os.getenv("NAMES") or "10")
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
request = function()
  local path = string.format("/wiki/rest/api/relation/get%d/from/user/current/to/content/%d",
                             math.random(0, names - 1), math.random(1, pages))
  return wrk.format(nil, path)
end
