-- PUT a new relation on every request: name "put<n/1000>", target content <n mod pages + 1>.
-- Set by the runner: PAGES (number of pages), TOKEN, and PREFIX (default "put"): a run that must
-- create relations of its own, not find the ones an earlier run made, gives another prefix.
local counter = 0
local prefix = os.getenv("PREFIX") or "put"
local pages = tonumber(os.getenv("PAGES") or "1000")
wrk.method = "PUT"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
request = function()
  counter = counter + 1
  local path = string.format("/wiki/rest/api/relation/" .. prefix .. "%d/from/user/current/to/content/%d",
                             math.floor(counter / pages), counter % pages + 1)
  return wrk.format(nil, path)
end
