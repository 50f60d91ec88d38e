"""The ceiling: a bare ASGI endpoint returning a constant JSON body. Every bondline throughput in
the benchmark is printed as a ratio to this, served by the fastest of uvicorn and granian with
the same number of workers."""

BODY = b'{"name":"favourite","_links":{"self":"http://127.0.0.1/wiki/rest/api/relation"}}'
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]
START = {"type": "http.response.start", "status": 200, "headers": HEADERS}
DONE = {"type": "http.response.body", "body": BODY}


async def app(scope, receive, send):  # type: ignore[no-untyped-def]
    if scope["type"] == "lifespan":
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return
    await send(START)
    await send(DONE)
