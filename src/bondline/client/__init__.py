"""bondline's Python SDK: a typed client over every endpoint, sync (`Client`) and async
(`AsyncClient`), built on httpx.

    from bondline.client import Client

    with Client("http://127.0.0.1:8080", token="blt_…") as client:
        client.relations.put("favourite", source=("user", "current"), target=("content", "123"))
        client.watches.remove_content("123", account_id="5b10ac8d82e05b22cc7d4ef5")
        dcr = client.reltio("acme").relations.delete("0000Aef", always_create_dcr=True)
        client.reltio("acme").change_requests.apply(dcr["uri"].split("/")[1])

Errors raise typed exceptions (`NotFound`, `Forbidden`, …) that carry the API's own error body.
429 and 503 are retried with backoff; every request has a timeout (10 s by default).
"""

from bondline.client.aio import AsyncClient
from bondline.client.errors import (
    ApiError,
    BadRequest,
    BondlineError,
    Conflict,
    Forbidden,
    NotFound,
    NotImplementedByApi,
    PayloadTooLarge,
    RateLimited,
    ServerError,
    ServiceUnavailable,
    TransportError,
    Unauthorized,
)
from bondline.client.sync import Client

__all__ = [
    "ApiError", "AsyncClient", "BadRequest", "BondlineError", "Client", "Conflict", "Forbidden", "NotFound",
    "NotImplementedByApi", "PayloadTooLarge", "RateLimited", "ServerError", "ServiceUnavailable",
    "TransportError", "Unauthorized",
]
