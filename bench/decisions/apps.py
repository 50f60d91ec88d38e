"""Candidate apps for the framework decision (docs/decisions/0001-web-framework.md).

Each app serves one GET with five path parameters and returns a small JSON body,
the shape of the relation-check hot path. Run with ``python bench/decisions/frameworks.py``.
"""
import json

BODY = {"name": "favourite", "source": "user", "target": "content", "ok": True}


# --- bare ASGI: the ceiling -------------------------------------------------
async def bare(scope, receive, send):
    if scope["type"] != "http":
        return
    payload = json.dumps(BODY).encode()
    await send({"type": "http.response.start", "status": 200,
                "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": payload})


# --- Starlette ----------------------------------------------------------------
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route


async def st_rel(request):
    p = request.path_params
    return JSONResponse({"name": p["name"], "source": p["st"], "target": p["tt"], "ok": True})

_filler = [Route(f"/wiki/rest/api/filler{i}/{{x}}", st_rel) for i in range(40)]
starlette_app = Starlette(routes=_filler + [
    Route("/wiki/rest/api/relation/{name}/from/{st}/{sk}/to/{tt}/{tk}", st_rel),
])

# --- Starlette Router only (no middleware stack) ------------------------------
from starlette.routing import Router

starlette_router = Router(routes=_filler + [
    Route("/wiki/rest/api/relation/{name}/from/{st}/{sk}/to/{tt}/{tk}", st_rel),
])

# --- FastAPI --------------------------------------------------------------------
from fastapi import FastAPI

fastapi_app = FastAPI()

@fastapi_app.get("/wiki/rest/api/relation/{name}/from/{st}/{sk}/to/{tt}/{tk}")
async def fa_rel(name: str, st: str, sk: str, tt: str, tk: str):
    return {"name": name, "source": st, "target": tt, "ok": True}

# --- Litestar -------------------------------------------------------------------
from litestar import Litestar, get


@get("/wiki/rest/api/relation/{name:str}/from/{st:str}/{sk:str}/to/{tt:str}/{tk:str}")
async def ls_rel(name: str, st: str, sk: str, tt: str, tk: str) -> dict:
    return {"name": name, "source": st, "target": tt, "ok": True}

litestar_app = Litestar([ls_rel])


# --- raw ASGI with what the hot path must do: authenticate, look up, encode -------------------
# (the prototype behind choosing a small ASGI layer of our own: docs/decisions/0001-web-framework.md)
import hashlib
import os
import sqlite3
import tempfile

import msgspec

_db_path = os.path.join(tempfile.gettempdir(), f"bondline-decision-{os.getpid()}.db")
_db = sqlite3.connect(_db_path, isolation_level=None, check_same_thread=False)
_db.execute("pragma journal_mode=wal")
_db.execute("create table if not exists rel(id integer primary key, ns, name, st, sk, tt, tk, created_by,"
            " created_at, unique(ns, name, st, sk, tt, tk))")
_db.execute("insert or ignore into rel(ns, name, st, sk, tt, tk, created_by, created_at)"
            " values('confluence', 'favourite', 'user', 'u1', 'content', '123', 'u1', 1)")
_db.execute("create table if not exists tok(hash blob primary key, account)")
_db.execute("insert or ignore into tok values(?, ?)", (hashlib.sha256(b"tok_abc").digest(), "u1"))
_enc = msgspec.json.Encoder()
_Q = "select name, created_by, created_at from rel where ns='confluence' and name=? and st=? and sk=? and tt=? and tk=?"
_auth_cache: dict[bytes, str] = {}
_HDRS = [(b"content-type", b"application/json")]


async def raw_db(scope, receive, send):
    if scope["type"] != "http":
        return
    parts = scope["path"].split("/")
    auth = b""
    for k, v in scope["headers"]:
        if k == b"authorization":
            auth = v
            break
    digest = hashlib.sha256(auth[7:]).digest()
    account = _auth_cache.get(digest)
    if account is None:
        row = _db.execute("select account from tok where hash=?", (digest,)).fetchone()
        account = _auth_cache[digest] = row[0]
    name, st, sk, tt, tk = parts[5], parts[7], parts[8], parts[10], parts[11]
    if sk == "current":
        sk = account
    row = _db.execute(_Q, (name, st, sk, tt, tk)).fetchone()
    body = _enc.encode({"name": row[0], "relationData": {"createdBy": {"accountId": row[1]}, "createdDate": row[2]},
                        "source": {"type": st}, "target": {"type": tt}})
    await send({"type": "http.response.start", "status": 200, "headers": _HDRS})
    await send({"type": "http.response.body", "body": body})
