"""Events: what webhooks are told when watched content changes and when Reltio change requests move.

Pure: services hand in the change and who watches it; these functions say which events follow. Every
watcher gets an event of their own (the payload names them), so a receiver can notify each one; Reltio
change requests have no watchers and make one event per lifecycle step.

An event is a type and a payload (a JSON document). What a receiver gets is the payload wrapped with
the event's id, type and time (`envelope`), built the same way on every attempt and replay:

    {"id": 17, "type": "content.updated", "createdAt": "2026-11-23T18:00:00.000Z",
     "watcher": {"accountId": "5b10ac…"}, "actor": {"accountId": "5b10ad…"},
     "data": {"content": {"id": "123", "type": "page", "status": "current", "title": "…",
                          "version": 2, "spaceKey": "ENG", "parentId": null}}}
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
import socket
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import urlsplit

from bondline import ids
from bondline.domain.errors import Invalid

CONTENT_UPDATED = "content.updated"
CONTENT_TRASHED = "content.trashed"
CONTENT_RESTORED = "content.restored"
CONTENT_PURGED = "content.purged"
CONTENT_CHILD_CREATED = "content.child_created"
CONTENT_LABELS_CHANGED = "content.labels_changed"
CONTENT_COMMENT_CREATED = "content.comment_created"  # a comment on watched content (to its watchers)
SPACE_CONTENT_CREATED = "space.content_created"
DCR_CREATED = "change_request.created"
DCR_APPLIED = "change_request.applied"
DCR_REJECTED = "change_request.rejected"

CONTENT_TYPES = (CONTENT_UPDATED, CONTENT_TRASHED, CONTENT_RESTORED, CONTENT_PURGED, CONTENT_CHILD_CREATED,
                 CONTENT_LABELS_CHANGED, SPACE_CONTENT_CREATED, CONTENT_COMMENT_CREATED)
# Reltio workflow tasks (docs/decisions/0025-reltio-workflow.md): a review task opened, given to
# another reviewer, or completed (by an action, by the change request applied or rejected through
# the data API, or by its process cancelled: then `action` is null).
TASK_CREATED = "workflow_task.created"
TASK_REASSIGNED = "workflow_task.reassigned"
TASK_COMPLETED = "workflow_task.completed"

DCR_TYPES = (DCR_CREATED, DCR_APPLIED, DCR_REJECTED)
TASK_TYPES = (TASK_CREATED, TASK_REASSIGNED, TASK_COMPLETED)
TYPES = CONTENT_TYPES + DCR_TYPES + TASK_TYPES
PATTERNS = ("*", "content.*", "space.*", "change_request.*", "workflow_task.*")
DCR_STATE_EVENTS = {"APPLIED": DCR_APPLIED, "REJECTED": DCR_REJECTED}

MAX_URL = 2048
MAX_SECRET = 255
MIN_SECRET = 16


@dataclasses.dataclass(slots=True)
class Event:
    type: str
    payload: dict[str, Any]


# --- webhook subscriptions ------------------------------------------------------------------------

def validate_filter(events: Iterable[str]) -> list[str]:
    """A webhook's event filter: known event types or patterns (`*`, `content.*`, …), deduplicated."""
    wanted: list[str] = []
    for raw in events:
        name = raw.strip()
        if not name:
            continue
        if name not in TYPES and name not in PATTERNS:
            raise Invalid(f"Unknown event type {name[:64]!r}: use one of {', '.join(TYPES + PATTERNS)}",
                          reason="UNKNOWN_EVENT_TYPE")
        if name not in wanted:
            wanted.append(name)
    if not wanted:
        raise Invalid("A webhook needs at least one event type (or '*' for all)", reason="NO_EVENT_TYPES")
    return wanted


def matches(event_filter: Sequence[str], event_type: str) -> bool:
    for pattern in event_filter:
        if pattern == "*" or pattern == event_type:
            return True
        if pattern.endswith(".*") and event_type.startswith(pattern[:-1]):
            return True
    return False


def wanted_by_any(filters: Iterable[Sequence[str]], types: Iterable[str]) -> bool:
    """Whether some webhook subscribes to one of `types` (if none does, nothing need be looked up)."""
    types = list(types)
    return any(matches(f, t) for f in filters for t in types)


def validate_url(url: str) -> str:
    url = url.strip()
    if len(url) > MAX_URL:
        raise Invalid(f"The URL is longer than {MAX_URL} characters", reason="BAD_WEBHOOK_URL")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises on a port that is not a number from 0 to 65535
    except ValueError:  # "http://[::1/", "http://host:99999/"
        raise Invalid("A webhook URL must be an absolute http:// or https:// URL", reason="BAD_WEBHOOK_URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Invalid("A webhook URL must be an absolute http:// or https:// URL", reason="BAD_WEBHOOK_URL")
    if parts.username or parts.password:
        raise Invalid("A webhook URL must not carry credentials; use the secret to authenticate deliveries",
                      reason="BAD_WEBHOOK_URL")
    return url


# --- where deliveries may go ----------------------------------------------------------------------
# A webhook URL is fetched by the server, so whoever registers one chooses where the server connects.
# Unless local targets are allowed, deliveries may not go to the server's own machine (loopback,
# unspecified), its link (link-local, which holds the cloud metadata service at 169.254.169.254),
# multicast or reserved addresses. Private networks are allowed: a self-hosted server's receivers
# live there. A URL's host is checked when the webhook is registered (addresses, `localhost`), and
# every address a name resolves to is checked when a delivery connects (`bondline.dispatch`).

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
_THIS_NETWORK = ipaddress.IPv4Network("0.0.0.0/8")  # "this host on this network": Linux connects to itself
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
# The numbers inet_aton reads (and so getaddrinfo, and so a delivery's connection): 1 to 4 parts,
# each decimal, octal (0177) or hex (0x7f) — 2130706433, 0x7f.1 and 0177.0.0.1 all mean 127.0.0.1.
_INET_ATON = re.compile(r"(0x[0-9a-f]*|[0-9]+)(\.(0x[0-9a-f]*|[0-9]+)){0,3}", re.IGNORECASE)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries and may reach: mapped (::ffff:a.b.c.d), compatible
    (::a.b.c.d), NAT64 (64:ff9b::a.b.c.d) or 6to4 (2002:aabb:ccdd::)."""
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    value = int(address)
    if value >> 32 == 0 and value > 1:  # :: and ::1 are IPv6's own unspecified and loopback
        return ipaddress.IPv4Address(value)
    if address in _NAT64:
        return ipaddress.IPv4Address(value & 0xFFFFFFFF)
    return None


def address_refusal(address: Address) -> str | None:
    """What kind of local address `address` is ("loopback", "link-local", …), or None if deliveries
    may go there without allowing local targets."""
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None:
            return address_refusal(embedded)
    if address.is_unspecified or address in _THIS_NETWORK:
        return "unspecified"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if address.is_reserved:  # 240/4 with the broadcast address; IPv6's unassigned ranges
        return "reserved"
    return None


def literal_address(host: str) -> Address | None:
    """The address `host` spells, read as the resolver reads it (every inet_aton spelling of IPv4,
    IPv6 with a zone), or None for a name."""
    host = host.removesuffix(".")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    if _INET_ATON.fullmatch(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:  # a part out of range, or 08
            return None
    return None


def host_refusal(host: str) -> str | None:
    """Why a webhook URL's host is refused when registered, unless local targets are allowed: an
    address of a kind `address_refusal` names, or `localhost` (RFC 6761: always loopback). Other
    names are checked when delivered, against what they resolve to then."""
    name = host.lower().removesuffix(".")
    if name == "localhost" or name.endswith(".localhost"):
        return "loopback"
    address = literal_address(name)
    return None if address is None else address_refusal(address)


def validate_secret(secret: str) -> str:
    if not MIN_SECRET <= len(secret) <= MAX_SECRET or not secret.isprintable():
        raise Invalid(f"A webhook secret must be {MIN_SECRET} to {MAX_SECRET} printable characters",
                      reason="BAD_WEBHOOK_SECRET")
    return secret


# --- deliveries -----------------------------------------------------------------------------------

PENDING, DELIVERED, DEAD = "pending", "delivered", "dead"
STATUSES = (PENDING, DELIVERED, DEAD)


def backoff_ms(attempts: int, base_seconds: float, cap_seconds: float = 3600.0) -> int:
    """How long to wait after the `attempts`-th failed attempt: base, 2·base, 4·base, … (capped)."""
    return int(min(cap_seconds, base_seconds * (2 ** max(0, attempts - 1))) * 1000)


def after_attempt(attempts: int, ok: bool, max_attempts: int, now: int, base_seconds: float) -> tuple[str, int]:
    """(status, next attempt time) after attempt number `attempts` succeeded or failed."""
    if ok:
        return DELIVERED, now
    if attempts >= max_attempts:
        return DEAD, now
    return PENDING, now + backoff_ms(attempts, base_seconds)


def envelope(event_id: int, event_type: str, created_at: int, payload: dict[str, Any]) -> dict[str, Any]:
    """The JSON document a receiver gets (the same on every attempt and replay)."""
    return {"id": event_id, "type": event_type, "createdAt": ids.iso(created_at), **payload}


# --- content events -------------------------------------------------------------------------------

def content_doc(content: Any, space_key: str) -> dict[str, Any]:
    return {"id": str(content.id), "type": content.type, "status": content.status, "title": content.title,
            "version": content.version, "spaceKey": space_key,
            "parentId": None if content.parent_id is None else str(content.parent_id)}


def _each(event_type: str, watchers: Iterable[str], actor: str | None, data: dict[str, Any]) -> list[Event]:
    return [Event(event_type, {"watcher": {"accountId": w}, "actor": {"accountId": actor}, "data": data})
            for w in dict.fromkeys(watchers)]


def content_change_type(before_status: str, after_status: str) -> str | None:
    """The event an edit makes: an update, a restore from the trash; publishing a draft is the
    space gaining content (`content_created`)."""
    if before_status == "trashed":
        return CONTENT_RESTORED
    if before_status == "draft":
        return None if after_status == "draft" else SPACE_CONTENT_CREATED
    return CONTENT_UPDATED


def content_changed(event_type: str, content: Any, space_key: str, watchers: Iterable[str],
                    actor: str | None, **extra: Any) -> list[Event]:
    """One event per watcher of the content (updated, trashed, restored, purged, labels changed)."""
    return _each(event_type, watchers, actor, {"content": content_doc(content, space_key), **extra})


def content_created(content: Any, space_key: str, space_watchers: Iterable[tuple[str, str]], parent: Any | None,
                    parent_watchers: Iterable[str], actor: str | None) -> list[Event]:
    """New content (created current, or a draft published): `space.content_created` for each watcher
    of the space whose watch covers this type (`space_watchers`: (accountId, the watch's content type
    or "" for all)), and `content.child_created` for each watcher of its parent page."""
    if content.status != "current":
        return []
    doc = content_doc(content, space_key)
    covered = [w for w, only in space_watchers if only in ("", content.type)]
    events = _each(SPACE_CONTENT_CREATED, covered, actor, {"content": doc, "space": {"key": space_key}})
    if parent is not None:
        events += _each(CONTENT_CHILD_CREATED, parent_watchers, actor,
                        {"content": doc, "parent": content_doc(parent, space_key)})
    return events


# --- Reltio change requests -----------------------------------------------------------------------

def change_request_event(event_type: str, cr: Any, actor: str | None) -> Event:
    return Event(event_type, {"actor": {"accountId": actor}, "data": {"tenant": cr.tenant, "changeRequest": {
        "uri": cr.uri, "type": cr.type, "state": cr.state, "createdBy": cr.created_by,
        "createdTime": cr.created_at, "updatedBy": cr.updated_by, "updatedTime": cr.updated_at}}})


def change_request_moved(before_state: str | None, cr: Any, actor: str | None) -> Event | None:
    """The lifecycle event of a change request's new state (None when the state did not move)."""
    if before_state is None:
        return change_request_event(DCR_CREATED, cr, actor)
    if before_state == cr.state:
        return None
    event_type = DCR_STATE_EVENTS.get(cr.state)
    return change_request_event(event_type, cr, actor) if event_type else None


# --- Reltio workflow tasks ------------------------------------------------------------------------

def task_event(event_type: str, task: Any, actor: str | None, change_request_id: str | None) -> Event:
    return Event(event_type, {"actor": {"accountId": actor}, "data": {"tenant": task.tenant, "task": {
        "taskId": task.id, "processInstanceId": task.process_id, "processType": task.process_type,
        "taskType": task.task_type, "assignee": task.assignee, "objectURIs": list(task.object_uris),
        "changeRequest": f"changeRequests/{change_request_id}" if change_request_id else None,
        "action": task.action, "createTime": task.created_at, "endTime": task.closed_at}}})
