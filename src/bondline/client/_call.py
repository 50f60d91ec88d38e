"""A call: one HTTP request the SDK will make, and how to read its answer.

Operations are written once as functions that build a `Call`; the sync `Client` runs it with
httpx.Client and the async `AsyncClient` with httpx.AsyncClient, so both clients offer exactly the
same operations with the same signatures.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Concatenate, Generic, ParamSpec, TypeVar
from urllib.parse import quote

T = TypeVar("T")
P = ParamSpec("P")


def _body(body: Any) -> Any:
    return body


@dataclasses.dataclass(slots=True)
class Call(Generic[T]):
    method: str
    path: str
    params: Mapping[str, Any] | None = None
    json: Any = None
    headers: Mapping[str, str] | None = None
    data: Mapping[str, str] | None = None
    # Turns the decoded JSON body (None when empty) into the result.
    parse: Callable[[Any], T] = _body
    # 404 is an answer, not an error (parse receives None): for "does it exist?" calls.
    absent_ok: bool = False


def none(_: Any) -> None:
    return None


def seg(value: Any) -> str:
    """One path segment, percent-encoded (slashes included)."""
    return quote(str(value), safe="")


def params(**values: Any) -> dict[str, Any]:
    """Query parameters without the ones left at None; lists become comma-separated."""
    out: dict[str, Any] = {}
    for key, value in values.items():
        if value is None:
            continue
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, (list, tuple)):
            value = ",".join(str(v) for v in value)
        out[key] = value
    return out


def _as_method(method: Any, op: Any) -> Any:
    """Give `method` the builder's name, docs and signature, with `self` first and the result type
    (`Call[X]` → `X`) as its return annotation, so help() and editors show what callers get."""
    functools.update_wrapper(method, op)
    del method.__wrapped__  # keep inspect from dropping the builder's first parameter as `self`
    sig = inspect.signature(op)
    returns = sig.return_annotation
    if isinstance(returns, str) and returns.startswith("Call[") and returns.endswith("]"):
        returns = returns[5:-1]
    self_param = inspect.Parameter("self", inspect.Parameter.POSITIONAL_ONLY)
    method.__signature__ = sig.replace(parameters=[self_param, *sig.parameters.values()], return_annotation=returns)
    return method


def sync_op(op: Callable[P, Call[T]]) -> Callable[Concatenate[Any, P], T]:
    """Turn a call builder into a method of a sync resource."""

    def method(self: Any, *args: P.args, **kwargs: P.kwargs) -> T:
        return self._client._run(op(*args, **kwargs))

    return _as_method(method, op)


def async_op(op: Callable[P, Call[T]]) -> Callable[Concatenate[Any, P], Awaitable[T]]:
    """Turn a call builder into a method of an async resource."""

    async def method(self: Any, *args: P.args, **kwargs: P.kwargs) -> T:
        return await self._client._arun(op(*args, **kwargs))

    return _as_method(method, op)
