"""bondline's HTTP layer: a small ASGI toolkit (router, request, responses, app).

Why not a framework: on the relation-check hot path Starlette alone reached 0.42x of a bare ASGI
endpoint on the same server, below the 0.5x bondline must reach *with* authentication and a database
lookup (docs/decisions/0001-web-framework.md). This package is the minimum that replaces it:
routing by path segments, lazy parsing, and no per-request middleware stack.
"""

from bondline.http.request import Request
from bondline.http.responses import Response, empty, json_response, retry_after, stream_response, text_response

__all__ = ["Request", "Response", "empty", "json_response", "retry_after", "stream_response", "text_response"]
