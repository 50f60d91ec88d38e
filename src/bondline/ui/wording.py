"""Change request items in words, for people reviewing them:

    delete relation Employment from Test to AddressLine
    add FirstName 'Ada' to Ada Lovelace
    create entity Individual 'Grace Hopper' with FirstName 'Grace', LastName 'Hopper'
    pin FirstName 'Ada' on Ada Lovelace

Objects are named by their labels from the change request's `objectsInfo` (the entity's label; a
relation by its type and its ends' labels), falling back to their URI when they have no label. A
phrase is a list of parts, each with a kind (verb, attribute, value, object, text) so a page can set
them apart; `text` joins them. Pure functions: no I/O, no markup (the templates escape the parts).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from bondline.domain.reltio import changes as ch

MAX_VALUE_CHARS = 120
MAX_DETAIL_VALUES = 8
MAX_HEADLINE_PARTS = 2  # objects named in a card's heading; the rest are counted
MAX_HEADLINE_ATTRIBUTES = 3

VERB, ATTR, VALUE, OBJECT, TEXT = "verb", "attribute", "value", "object", "text"


@dataclasses.dataclass(frozen=True, slots=True)
class Phrase:
    parts: tuple[tuple[str, str], ...]

    @property
    def text(self) -> str:
        return "".join(text for _, text in self.parts)

    def __str__(self) -> str:
        return self.text


class _Builder:
    def __init__(self) -> None:
        self.parts: list[tuple[str, str]] = []

    def add(self, kind: str, text: str) -> _Builder:
        if text:
            if self.parts and not self.parts[-1][1].endswith(" ") and not text.startswith((" ", ",", ")", ";")):
                self.parts.append((TEXT, " "))
            self.parts.append((kind, text))
        return self

    def phrase(self) -> Phrase:
        return Phrase(tuple(self.parts))


def short_type(uri: Any) -> str:
    """``configuration/entityTypes/Individual`` → ``Individual``."""
    return str(uri or "").rsplit("/", 1)[-1]


def _clip(text: str) -> str:
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS - 1] + "…"


def value_text(value: Any) -> str:
    """A value as a reviewer reads it: ``'Ada'``, ``true``, or a nested value's parts
    ``(Number '555', Type 'mobile')``."""
    if isinstance(value, dict) and "value" in value:
        value = value["value"]
    if isinstance(value, dict):
        inner = ", ".join(f"{name} {', '.join(value_text(v) for v in (vals if isinstance(vals, list) else [vals]))}"
                          for name, vals in value.items())
        return _clip(f"({inner})")
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "(empty)"
    if isinstance(value, (int, float)):
        return str(value)
    return "'" + _clip(str(value)) + "'"


def attribute_name(path: Any) -> str:
    """``Phone/3Z3Tq6BBE/Number`` → ``Phone.Number``."""
    return ".".join(str(path or "").split("/")[0::2])


def _label(info: dict[str, Any] | None, uri: str) -> str:
    if info:
        label = info.get("label") or info.get("secondaryLabel")
        if label:
            return str(label)
    return uri


def _end_label(objects: dict[str, dict[str, Any]], uri: str, given: Any) -> str:
    """An end of a relation: its label as staged, else as objectsInfo knows it, else its URI."""
    if given:
        return str(given)
    return _label(objects.get(uri), uri or "?")


def object_name(objects: dict[str, dict[str, Any]], uri: str) -> str:
    """How an item's object is named: an entity by its label, a relation by type and ends."""
    info = objects.get(uri)
    if uri.startswith("relations/"):
        if not info or "startObjectUri" not in info:
            return f"relation {uri}"
        return (f"relation {short_type(info.get('type'))} from "
                f"{_end_label(objects, info.get('startObjectUri', ''), info.get('startObjectLabel'))} to "
                f"{_end_label(objects, info.get('endObjectUri', ''), info.get('endObjectLabel'))}")
    return _label(info, uri)


def _attributes_detail(attributes: Any) -> str:
    if not isinstance(attributes, dict) or not attributes:
        return ""
    shown: list[str] = []
    for name, values in attributes.items():
        for v in values if isinstance(values, list) else [values]:
            shown.append(f"{name} {value_text(v)}")
    more = len(shown) - MAX_DETAIL_VALUES
    text = ", ".join(shown[:MAX_DETAIL_VALUES])
    return text + (f" and {more} more" if more > 0 else "")


def _source(body: dict[str, Any]) -> str:
    xw = body.get("crosswalk")
    if isinstance(xw, dict) and xw.get("type"):
        return f"(source {short_type(xw['type'])})"
    return ""


def describe(item: ch.Item, objects: dict[str, dict[str, Any]] | None = None) -> Phrase:
    """One change item in words (see the module's docstring)."""
    objects = objects or {}
    body = item.body or {}
    b = _Builder()
    target = object_name(objects, item.object_uri)
    attr = attribute_name(body.get("attributePath"))
    if item.type == ch.CREATE_ENTITY:
        view = body.get("newValue") or {}
        b.add(VERB, "create entity").add(TEXT, short_type(view.get("type")))
        label = view.get("label") or _label(objects.get(item.object_uri), "")
        b.add(VALUE, f"'{_clip(str(label))}'" if label else item.object_uri)
        detail = _attributes_detail(view.get("attributes"))
        if detail:
            b.add(TEXT, "with").add(VALUE, detail)
    elif item.type == ch.CREATE_RELATIONSHIP:
        view = body.get("newValue") or {}
        start, end = view.get("startObject") or {}, view.get("endObject") or {}
        b.add(VERB, "create relation").add(TEXT, short_type(view.get("type")))
        b.add(TEXT, "from").add(OBJECT, _end_label(objects, str(start.get("objectURI", "")), start.get("label")))
        b.add(TEXT, "to").add(OBJECT, _end_label(objects, str(end.get("objectURI", "")), end.get("label")))
        detail = _attributes_detail(view.get("attributes"))
        if detail:
            b.add(TEXT, "with").add(VALUE, detail)
    elif item.type == ch.DELETE_RELATIONSHIP:
        info = objects.get(item.object_uri) or {}
        b.add(VERB, "delete relation")
        if "startObjectUri" in info:
            b.add(TEXT, short_type(info.get("type")))
            b.add(TEXT, "from").add(OBJECT, _end_label(objects, info["startObjectUri"], info.get("startObjectLabel")))
            b.add(TEXT, "to").add(OBJECT, _end_label(objects, info.get("endObjectUri", ""), info.get("endObjectLabel")))
        else:
            b.add(OBJECT, item.object_uri)
    elif item.type == ch.INSERT:
        b.add(VERB, "add").add(ATTR, attr).add(VALUE, value_text(body.get("newValue")))
        b.add(TEXT, "to").add(OBJECT, target).add(TEXT, _source(body))
    elif item.type == ch.UPDATE:
        b.add(VERB, "update").add(ATTR, attr).add(TEXT, "of").add(OBJECT, target)
        b.add(TEXT, "from").add(VALUE, value_text(body.get("oldValue")))
        b.add(TEXT, "to").add(VALUE, value_text(body.get("newValue"))).add(TEXT, _source(body))
    elif item.type == ch.DELETE:
        b.add(VERB, "delete").add(ATTR, attr).add(VALUE, value_text(body.get("oldValue")))
        b.add(TEXT, "from").add(OBJECT, target).add(TEXT, _source(body))
    elif item.type in (ch.PIN, ch.IGNORE):
        on = bool(body.get("newPinOrIgnoreValue"))
        verb = {(ch.PIN, True): "pin", (ch.PIN, False): "unpin", (ch.IGNORE, True): "ignore",
                (ch.IGNORE, False): "stop ignoring"}[(item.type, on)]
        b.add(VERB, verb).add(ATTR, attr).add(VALUE, value_text(body.get("oldValue")))
        b.add(TEXT, "on").add(OBJECT, target)
    else:  # an item type this page does not know: say what it is and where
        b.add(VERB, item.type).add(TEXT, "on").add(OBJECT, target)
    return b.phrase()


def describe_object(uri: str, info: dict[str, Any] | None) -> Phrase:
    """A line of the objects list: ``Individual Ada Lovelace`` or ``HasAddress from … to …``,
    with whether the object exists yet (an object the request creates does not)."""
    info = info or {}
    b = _Builder()
    if uri.startswith("relations/"):
        b.add(TEXT, short_type(info.get("type")) or "relation")
        if "startObjectUri" in info:
            b.add(TEXT, "from").add(OBJECT, info.get("startObjectLabel") or info["startObjectUri"])
            b.add(TEXT, "to").add(OBJECT, info.get("endObjectLabel") or info.get("endObjectUri", ""))
    else:
        b.add(TEXT, short_type(info.get("type")) or "entity").add(OBJECT, _label(info, uri))
    if info.get("isExist") is False:
        b.add(TEXT, "(new)" if info.get("type") else "(not found)")
    return b.phrase()


# --- headings -------------------------------------------------------------------------------------

_HEAD_VERBS = {ch.INSERT: ("Add", "to"), ch.DELETE: ("Remove", "from"), ch.UPDATE: ("Change", "of"),
               ch.PIN: ("Pin", "on"), ch.IGNORE: ("Ignore", "on")}


def _names(names: list[str]) -> str:
    """``Email``, ``Email and FirstName``, ``Email, FirstName and 2 more``."""
    shown = names[:MAX_HEADLINE_ATTRIBUTES]
    rest = len(names) - len(shown)
    if rest > 0:
        return ", ".join(shown) + f" and {rest} more"
    return shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + " and " + shown[-1]


def _ends(b: _Builder, start: str, end: str) -> None:
    b.add(OBJECT, start).add(TEXT, "→").add(OBJECT, end)


def _group_headline(b: _Builder, uri: str, items: list[ch.Item], objects: dict[str, dict[str, Any]]) -> None:
    """What the items on one object do, as a heading: the verb first, then the object."""
    first = items[0]
    info = objects.get(uri) or {}
    if first.type == ch.CREATE_ENTITY:
        view = (first.body or {}).get("newValue") or {}
        label = view.get("label") or _label(info, "")
        b.add(VERB, "New").add(TEXT, short_type(view.get("type")) or "entity").add(OBJECT, str(label or uri))
        return
    if first.type == ch.CREATE_RELATIONSHIP:
        view = (first.body or {}).get("newValue") or {}
        start, end = view.get("startObject") or {}, view.get("endObject") or {}
        b.add(VERB, "Add").add(TEXT, f"{short_type(view.get('type')) or 'relation'}:")
        _ends(b, _end_label(objects, str(start.get("objectURI", "")), start.get("label")),
              _end_label(objects, str(end.get("objectURI", "")), end.get("label")))
        return
    if any(it.type == ch.DELETE_RELATIONSHIP for it in items):
        b.add(VERB, "Remove")
        if "startObjectUri" in info:
            b.add(TEXT, f"{short_type(info.get('type'))}:")
            _ends(b, _end_label(objects, info["startObjectUri"], info.get("startObjectLabel")),
                  _end_label(objects, info.get("endObjectUri", ""), info.get("endObjectLabel")))
        else:
            b.add(OBJECT, object_name(objects, uri))
        return
    names: list[str] = []
    for it in items:
        name = attribute_name((it.body or {}).get("attributePath")).split(".")[0]
        if name and name not in names:
            names.append(name)
    kinds = {it.type for it in items}
    verb, joint = _HEAD_VERBS.get(kinds.pop(), ("Change", "of")) if len(kinds) == 1 else ("Change", "of")
    if names:
        b.add(VERB, verb).add(ATTR, _names(names)).add(TEXT, joint)
    else:
        b.add(VERB, "Change")
    b.add(OBJECT, object_name(objects, uri))


def headline(items: list[ch.Item], objects: dict[str, dict[str, Any]] | None = None,
             item_count: int | None = None) -> Phrase:
    """A change request's heading: what changes, and to whom, e.g.
    ``Remove HasAddress: Ada Lovelace → 12 Analytical Row`` or ``Change FirstName of Ada Lovelace``.
    Items are grouped by object in the order they first appear; past `MAX_HEADLINE_PARTS` objects
    the heading counts the rest. `item_count` (when `items` are the first ones only) says so."""
    objects = objects or {}
    groups: dict[str, list[ch.Item]] = {}
    for it in items:
        groups.setdefault(it.object_uri, []).append(it)
    b = _Builder()
    if not groups:
        return b.add(TEXT, "No changes").phrase()
    for n, (uri, group) in enumerate(list(groups.items())[:MAX_HEADLINE_PARTS]):
        if n:
            b.add(TEXT, ";")
        _group_headline(b, uri, group, objects)
    rest = len(groups) - MAX_HEADLINE_PARTS
    more_items = (item_count or len(items)) > len(items)
    if rest > 0 or more_items:
        b.add(TEXT, f"and {rest} more object{'' if rest == 1 else 's'}" if rest > 0 and not more_items
              else "and more")
    return b.phrase()


# --- a conflict: the value now beside the staged one ----------------------------------------------

def _values_now(values: Any) -> str:
    if values is None:
        return "(gone)"
    if not values:
        return "(none)"
    shown = [value_text(v) + (" (pinned)" if isinstance(v, dict) and v.get("pin") else "")
             + (" (ignored)" if isinstance(v, dict) and v.get("ignored") else "") for v in values]
    more = len(shown) - MAX_DETAIL_VALUES
    return ", ".join(shown[:MAX_DETAIL_VALUES]) + (f" and {more} more" if more > 0 else "")


def now_and_staged(item: ch.Item, values: list[Any] | None) -> tuple[str, str]:
    """For a conflicted item: what its target holds now (`values`: the values there now, None when
    the object or the value is gone) and what the item would make of it."""
    body = item.body or {}
    if item.type in (ch.INSERT, ch.UPDATE):
        staged = value_text(body.get("newValue"))
    elif item.type == ch.DELETE:
        staged = f"removed (was {value_text(body.get('oldValue'))} when staged)"
    elif item.type in (ch.PIN, ch.IGNORE):
        on = bool(body.get("newPinOrIgnoreValue"))
        staged = {(ch.PIN, True): "pinned", (ch.PIN, False): "unpinned", (ch.IGNORE, True): "ignored",
                  (ch.IGNORE, False): "no longer ignored"}[(item.type, on)]
    elif item.type == ch.DELETE_RELATIONSHIP:
        staged = "relation removed"
    elif item.type in (ch.CREATE_ENTITY, ch.CREATE_RELATIONSHIP):
        staged = "created"
    else:
        staged = item.type
    if item.type == ch.UPDATE and "oldValue" in body:
        staged += f" (was {value_text(body.get('oldValue'))} when staged)"
    if item.type in (ch.DELETE_RELATIONSHIP, ch.CREATE_ENTITY, ch.CREATE_RELATIONSHIP):
        return ("exists" if values is not None else "(gone)"), staged
    return _values_now(values), staged
