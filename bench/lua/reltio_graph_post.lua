-- POST the JSON body in WRK_BODY (a Reltio _connections request) on every request.
wrk.method = "POST"
wrk.body = os.getenv("WRK_BODY") or "[]"
wrk.headers["Content-Type"] = "application/json"
