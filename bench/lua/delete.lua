-- Send the request as DELETE (wrk's -X is not available on every build).
wrk.method = "DELETE"
