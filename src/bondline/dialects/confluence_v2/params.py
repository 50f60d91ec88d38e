"""v2's query and path parameters, as the routes added beside pages and spaces read them: ids
(positive integers, as strings), comma-separated arrays, `sort` within the orders served."""

from __future__ import annotations

from bondline.domain.errors import Invalid
from bondline.http import Request


def path_id(req: Request, name: str, what: str) -> int:
    """A positive integer id in the path (a space's, a label's, a property's)."""
    raw = req.params[name]
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18 or int(raw) == 0:
        raise Invalid(f"{what} id {raw[:40]!r} is invalid: ids are positive integers")
    return int(raw)


def ids(req: Request, name: str, most: int) -> list[int]:
    """An array of positive integers, repeated or comma-separated (`id=1,2&id=3`), at most `most`."""
    out = []
    for value in req.q_all(name):
        for raw in value.split(","):
            if not raw.isascii() or not raw.isdigit() or len(raw) > 18 or int(raw) == 0:
                raise Invalid(f"Provided value {{{raw[:40]}}} for '{name}' is not the correct type."
                              " Expected type is a positive integer")
            out.append(int(raw))
    if len(out) > most:
        raise Invalid(f"At most {most} '{name}' values may be given")
    return out


def strings(req: Request, name: str) -> list[str]:
    return [v for value in req.q_all(name) for v in value.split(",") if v]


def sort(req: Request, served: tuple[str, ...], all_orders: tuple[str, ...]) -> str | None:
    """`sort`: one of the document's orders (else 400), and of those the listing is in (`served`; the
    others are refused with a 400 until the services can sort by them inside their query). The order
    asked for, or None."""
    raw = req.q("sort")
    if raw is None:
        return None
    if raw not in all_orders:
        raise Invalid(f"Provided value {{{raw[:40]}}} for 'sort' is not valid: expected one of {', '.join(all_orders)}")
    if raw not in served:
        raise Invalid(f"Provided value {{{raw[:40]}}} for 'sort' is not supported: sort by {' or '.join(served)}")
    return raw


def content_order(raw: str | None, default: str) -> str:
    """The services' content order (`domain.content.ORDERS`) for a v2 `sort` (`-created-date` →
    `-created`), `default` when none is asked for."""
    return default if raw is None else raw.replace("-date", "")


def query(req: Request, *names: str) -> dict[str, list[str]]:
    """The parameters among `names` the request gives (what a cursor is issued for)."""
    return {k: req.q_all(k) for k in names if req.q_all(k)}
