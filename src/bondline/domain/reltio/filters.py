"""Reltio's entity filter language: text -> parse tree (lark, LALR) -> this module's query model,
and the searchable rows an entity is indexed by (docs/decisions/0022-reltio-search.md).

    filter=(equals(type,'configuration/entityTypes/Individual') and
            (startsWith(attributes.FirstName,'Jo') or not exists(attributes.Phone)))

The model is pure data: `And`, `Or`, `Not`, `Same` (Reltio's `inSameAttributeValue`: the inner
conditions hold within one value of a nested attribute) and `Cond(op, field, values)` with a small
set of normalized operators, so the store compiles nothing but these into one SQL statement
(store/repos/reltio_search.py). Reltio's condition types map to them:

| Reltio                          | model                                                        |
|---------------------------------|--------------------------------------------------------------|
| equals, in                      | `eq` / `in` on the lower-cased value                         |
| equalsCaseSensitive             | `eq_cs` on the value as stored                               |
| startsWith                      | `prefix` of the lower-cased value                            |
| containsWordStartingWith        | `word_prefix` for every word of the value (all must match)   |
| fullText                        | `word` for every word of the value (any may match)           |
| fuzzy                           | `word_prefix` of each word cut to two thirds (at least 2)    |
| range, lt, lte, gt, gte         | `ge`/`le`/`lt`/`gt`: numbers when the bound is a number      |
| exists, missing                 | `exists`, `Not(exists)`                                      |

Values are compared on their first 256 characters, as Reltio's search engine does. Words are runs
of letters and digits (Reltio's separators — spaces, punctuation, `@`, `/`, … — all split words).
`fuzzy` is an approximation: Reltio uses an edit distance; bondline matches values with a word
that starts like the given word (its first two thirds), which finds the usual typos at the end
of a word ("Jonh" finds "John", "Smiht" finds "Smith") but not one in the first letters.

A malformed filter, an unknown condition type or field, or a value of the wrong kind raises
`FilterError` (the dialect's 400).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from collections.abc import Callable, Iterator
from typing import Any

from lark import Lark, Token, Transformer, Tree, UnexpectedInput, v_args

from bondline.domain.errors import Invalid
from bondline.domain.reltio.objects import ReltioEntity, ReltioRelation, winner

MAX_LENGTH = 10_000  # characters of filter text
MAX_CONDITIONS = 100  # each is a subquery in SQL
MAX_VALUES = 1_000  # values of one `in`
MAX_DEPTH = 32  # and/or/not/inSameAttributeValue nested in one another (the tree is walked recursively)
VALUE_CHARS = 256  # Reltio's search engine considers the first 256 characters of a value
ENTITY_TYPES = "configuration/entityTypes/"
SOURCES = "configuration/sources/"

# Paths of the rows that are not attribute values (attribute names start with a letter, so these
# sort before every attribute path: attribute rows are those with path >= "A").
TAG, LABEL, XW_TYPE, XW_VALUE = "#tag", "#label", "#xw.type", "#xw.value"
ATTRIBUTES_FROM = "A"

GRAMMAR = r"""
?start: disj
?disj: conj (_OR conj)*
?conj: neg (_AND? neg)*
?neg: _NOT neg          -> negate
    | atom
?atom: "(" disj ")"
     | SAME "(" disj ")" -> same
     | NAME "(" args? ")" -> cond
args: arg ("," arg)*
?arg: STRING             -> string
    | BARE               -> bare

_AND.2: /and\b/i
_OR.2: /or\b/i
_NOT.2: /not\b/i
SAME.3: /inSameAttributeValue\b/i
NAME: /[A-Za-z_][A-Za-z0-9_]*/
BARE: /[^\s,()'"]+/
STRING: /'(?:[^'\\]|\\.)*'/ | /"(?:[^"\\]|\\.)*"/
%ignore /\s+/
"""

_PARSER = Lark(GRAMMAR, parser="lalr")


class FilterError(Invalid):
    """A filter bondline cannot run: Reltio's 400."""

    def __init__(self, message: str) -> None:
        super().__init__(message, reason="INVALID_FILTER")


# --- the model --------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True, slots=True)
class Field:
    """`kind`: "attr" (path "FirstName", "Address.City", or "" for any attribute), "tag", "label",
    "xw.type", "xw.value" (rows of `index_rows`), or the entity's own "type", "uri", "created",
    "updated"."""

    kind: str
    path: str = ""


@dataclasses.dataclass(frozen=True, slots=True)
class Cond:
    op: str  # eq eq_cs in prefix word_prefix word lt le gt ge exists
    field: Field
    values: tuple[Any, ...] = ()


@dataclasses.dataclass(frozen=True, slots=True)
class And:
    parts: tuple[Node, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Or:
    parts: tuple[Node, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Not:
    part: Node


@dataclasses.dataclass(frozen=True, slots=True)
class Same:
    """The inner conditions hold within one value of the nested attribute `attribute`."""

    attribute: str
    part: Node


Node = Cond | And | Or | Not | Same

VALUE_KINDS = frozenset({"attr", "tag", "label", "xw.type", "xw.value"})  # searched in the value rows
ROW_PATH = {"tag": TAG, "label": LABEL, "xw.type": XW_TYPE, "xw.value": XW_VALUE}


# --- parsing ----------------------------------------------------------------------------------------

@v_args(inline=True)
class _Raw(Transformer[Token, Any]):
    def string(self, tok: Token) -> tuple[str, str]:
        body = str(tok)[1:-1]
        return ("s", re.sub(r"\\(.)", r"\1", body))

    def bare(self, tok: Token) -> tuple[str, str]:
        return ("b", str(tok))

    def args(self, *items: tuple[str, str]) -> list[tuple[str, str]]:
        return list(items)

    def cond(self, name: Token, args: list[tuple[str, str]] | None = None) -> tuple[Any, ...]:
        return ("cond", str(name), args or [])

    def same(self, _kw: Token, inner: Any) -> tuple[Any, ...]:
        return ("same", inner)

    def negate(self, inner: Any) -> tuple[Any, ...]:
        return ("not", inner)

    def conj(self, *parts: Any) -> tuple[Any, ...]:
        return ("and", list(parts))

    def disj(self, *parts: Any) -> tuple[Any, ...]:
        return ("or", list(parts))


def parse_raw(text: str | None, max_length: int = MAX_LENGTH) -> Any | None:
    """The filter as the grammar reads it, before any vocabulary: nested tuples ``("or", [..])``,
    ``("and", [..])``, ``("not", x)``, ``("same", x)`` and ``("cond", name, [(kind, text), ..])``
    (kind "s" quoted, "b" bare; the first is the property). Entity and relation search resolve it
    with `parse`; the activity log (`domain.reltio.activities`) with its own fields — one grammar."""
    if text is None or not text.strip():
        return None
    if len(text) > max_length:
        raise FilterError(f"The filter is longer than {max_length} characters")
    try:
        tree = _PARSER.parse(text)
    except UnexpectedInput as err:
        where = getattr(err, "pos_in_stream", None)
        near = text[where:where + 30] if isinstance(where, int) else ""
        raise FilterError(f"Invalid filter: syntax error at position {where}{f' near {near!r}' if near else ''}"
                          ) from None
    if not isinstance(tree, Tree):
        return tree
    _check_depth(tree)
    return _Raw().transform(tree)


def _check_depth(tree: Tree[Token]) -> None:
    """Refuse trees nested deeper than MAX_DEPTH before anything walks them recursively."""
    stack: list[tuple[Any, int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise FilterError(f"Invalid filter: nested too deeply (more than {MAX_DEPTH} levels of and, or, not)")
        if isinstance(node, Tree):
            grows = node.data in ("disj", "conj", "negate", "same")
            stack.extend((child, depth + grows) for child in node.children)


def parse(text: str | None, fields: Callable[[str], Field] | None = None) -> Node | None:
    """The query model of a filter, or None for no filter (every entity). `fields` resolves a
    property name (default `field_of`, the entity's properties; relations pass their own)."""
    raw = parse_raw(text)
    if raw is None:
        return None
    resolver = _Resolver(fields or field_of)
    return resolver.node(raw)


def _words(value: str) -> list[str]:
    return [w for w in re.split(r"[\W_]+", value.lower()) if w]


def _cut(value: str) -> str:
    return value[:VALUE_CHARS]


def _number(value: str) -> float | None:
    try:
        n = float(value)
    except ValueError:
        return None
    return n if math.isfinite(n) else None


def _time(value: str, field: str) -> int:
    """createdTime/updatedTime bounds: milliseconds since the epoch, or an ISO 8601 date/time (UTC)."""
    n = _number(value)
    if n is not None:
        return int(n)
    try:
        when = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise FilterError(f"Invalid filter: {field} takes milliseconds since the epoch or an ISO 8601 date, "
                          f"got {value[:40]!r}") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return int(when.timestamp() * 1000)


_SEGMENT = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
# condition type (lower-cased) -> (Reltio's name, how many values: (least, most))
OPS: dict[str, tuple[str, int, int]] = {
    name.lower(): (name, least, most) for name, least, most in (
        ("equals", 1, 1), ("equalsCaseSensitive", 1, 1), ("containsWordStartingWith", 1, 1), ("startsWith", 1, 1),
        ("fullText", 1, 1), ("fuzzy", 1, 1), ("range", 2, 2), ("lt", 1, 1), ("lte", 1, 1), ("gt", 1, 1),
        ("gte", 1, 1), ("exists", 0, 0), ("missing", 0, 0), ("in", 1, MAX_VALUES))}
ORDERED = {"range", "lt", "lte", "gt", "gte"}
TEXT_OPS = {"containsWordStartingWith", "fullText", "fuzzy", "equalsCaseSensitive"}


def field_of(name: str) -> Field:
    lowered = name.lower()
    simple = {"type": "type", "uri": "uri", "createdtime": "created", "updatedtime": "updated", "tags": "tag",
              "label": "label", "crosswalks": "xw.value", "crosswalks.value": "xw.value",
              "crosswalks.type": "xw.type"}
    if lowered in simple:
        return Field(simple[lowered])
    if name == "attributes":
        return Field("attr")
    if name.startswith("attributes."):
        segments = name[len("attributes."):].split(".")
        if all(_SEGMENT.match(s) for s in segments):
            return Field("attr", ".".join(segments))
    raise FilterError(f"Invalid filter: unknown property {name[:80]!r}; use type, uri, createdTime, updatedTime, "
                      "tags, label, crosswalks, crosswalks.type, crosswalks.value or attributes.<name>")


class _Resolver:
    def __init__(self, fields: Callable[[str], Field]) -> None:
        self.count = 0
        self.fields = fields

    def node(self, raw: Any) -> Node:
        kind = raw[0]
        if kind == "and":
            return And(tuple(self.node(p) for p in raw[1]))
        if kind == "or":
            return Or(tuple(self.node(p) for p in raw[1]))
        if kind == "not":
            return Not(self.node(raw[1]))
        if kind == "same":
            inner = self.node(raw[1])
            tops = {c.field.path.split(".")[0] if c.field.kind == "attr" else "" for c in _leaves(inner)}
            if len(tops) != 1 or "" in tops or any("." not in c.field.path for c in _leaves(inner)):
                raise FilterError("Invalid filter: inSameAttributeValue takes conditions on the sub-attributes of "
                                  "one nested attribute (attributes.<Nested>.<Sub>)")
            return Same(tops.pop(), inner)
        return self.cond(raw[1], raw[2])

    def cond(self, name: str, args: list[tuple[str, str]]) -> Node:
        self.count += 1
        if self.count > MAX_CONDITIONS:
            raise FilterError(f"Invalid filter: more than {MAX_CONDITIONS} conditions")
        spec = OPS.get(name.lower())
        if spec is None:
            raise FilterError(f"Invalid filter: unknown condition type {name[:60]!r}")
        op, least, most = spec
        if not args:
            raise FilterError(f"Invalid filter: {op} needs a property")
        prop_kind, prop = args[0]
        values = [_cut(v) for _, v in args[1:]]
        if op == "in" and len(values) == 1 and "," in values[0]:
            values = [v.strip() for v in values[0].split(",") if v.strip()]
        if not least <= len(values) <= most:
            want = str(least) if least == most else f"{least} to {most}"
            raise FilterError(f"Invalid filter: {op} takes a property and {want} value(s), got {len(values)}")
        field = self.fields(prop)
        if prop_kind == "s" and prop != prop.strip():
            raise FilterError(f"Invalid filter: unknown property {prop[:80]!r}")
        return self._resolve(op, field, values)

    def _resolve(self, op: str, field: Field, values: list[str]) -> Node:
        kind = field.kind
        if op == "exists":
            return Cond("exists", field)
        if op == "missing":
            return Not(Cond("exists", field))
        if kind in ("created", "updated"):
            if op in TEXT_OPS or op in ("startsWith",):
                raise FilterError(f"Invalid filter: {op} does not apply to {kind}Time")
            return self._ordered(op, field, [_time(v, kind + "Time") for v in values])
        if kind in ("type", "uri"):
            if op in ORDERED or op in TEXT_OPS:
                raise FilterError(f"Invalid filter: {op} does not apply to {kind}")
            prefix = ENTITY_TYPES if kind == "type" else "entities/"
            keys = tuple(v[len(prefix):] if v.startswith(prefix) else v for v in values)
            return Cond("prefix" if op == "startsWith" else "in", field, keys)
        if kind == "xw.type":
            values = [v if v.lower().startswith(SOURCES) else SOURCES + v for v in values]
        if op in ORDERED:
            return self._ordered(op, field, values)
        if op == "equals":
            return Cond("eq", field, (values[0].lower(),))
        if op == "in":
            return Cond("in", field, tuple(sorted({v.lower() for v in values})))
        if op == "equalsCaseSensitive":
            return Cond("eq_cs", field, (values[0],))
        if op == "startsWith":
            return Cond("prefix", field, (values[0].lower(),))
        words = _words(values[0])
        if op == "containsWordStartingWith":
            return And(tuple(Cond("word_prefix", field, (w,)) for w in words)) if words else Or(())
        if op == "fullText":
            return Or(tuple(Cond("word", field, (w,)) for w in words))
        # fuzzy: a word that starts like each given word (its first two thirds, at least 2 characters)
        return And(tuple(Cond("word_prefix", field, (w[:max(2, 2 * len(w) // 3)],)) for w in words)) \
            if words else Or(())

    def _ordered(self, op: str, field: Field, values: list[Any]) -> Node:
        def bound(v: Any) -> Any:
            if isinstance(v, int):
                return v
            n = _number(v)
            return n if n is not None else v.lower()

        if op == "equals":
            return Cond("eq", field, (bound(values[0]),))
        if op == "in":
            return Cond("in", field, tuple(bound(v) for v in values))
        if op == "range":
            lo, hi = bound(values[0]), bound(values[1])
            return And((Cond("ge", field, (lo,)), Cond("le", field, (hi,))))
        name = {"lt": "lt", "lte": "le", "gt": "gt", "gte": "ge"}[op]
        return Cond(name, field, (bound(values[0]),))


def _leaves(node: Node) -> Iterator[Cond]:
    if isinstance(node, Cond):
        yield node
    elif isinstance(node, (And, Or)):
        for p in node.parts:
            yield from _leaves(p)
    elif isinstance(node, (Not, Same)):
        yield from _leaves(node.part)


# --- sorting ----------------------------------------------------------------------------------------

# sort=… -> (column or attribute path); anything else is "not recognized": no sorting (Reltio's rule)
SORT_COLUMNS = {"uri": "id", "type": "type", "label": "label", "createdtime": "created",
                "updatedtime": "updated"}


def sort_key(sort: str | None) -> Field | None:
    if not sort:
        return None
    column = SORT_COLUMNS.get(sort.strip().lower())
    if column is not None:
        return Field(column)
    if sort.startswith("attributes."):
        segments = sort[len("attributes."):].split(".")
        if all(_SEGMENT.match(s) for s in segments):
            return Field("attr", ".".join(segments))
    return None


# --- what an entity is searched by ------------------------------------------------------------------

@dataclasses.dataclass(frozen=True, slots=True)
class Row:
    """One searchable value: `path` ("FirstName", "Address.City", or TAG, LABEL, XW_TYPE,
    XW_VALUE), `group` (the id of the top-level attribute value it is in: `inSameAttributeValue`),
    the value's first 256 characters as given and lower-cased, its words (" john smith "), the
    number it reads as, and whether it is the operational value."""

    path: str
    group: str
    value: str
    lowered: str
    words: str
    number: float | None
    ov: bool


def _row(path: str, group: str, value: str, ov: bool) -> Row:
    cut = value[:VALUE_CHARS]
    return Row(path, group, cut, cut.lower(), " " + " ".join(_words(value)) + " ", _number(value.strip()), ov)


def _attribute_rows(values: list[dict[str, Any]], path: str, group: str | None, ov: bool) -> Iterator[Row]:
    best = winner(values)
    for i, v in enumerate(values):
        if v.get("ignored"):
            continue
        is_ov = ov and i == best
        top = group if group is not None else str(v.get("id", ""))
        value = v.get("value")
        if isinstance(value, str):
            yield _row(path, top, value, is_ov)
        elif isinstance(value, dict):
            for name, sub in value.items():
                if isinstance(sub, list):
                    yield from _attribute_rows(sub, f"{path}.{name}", top, is_ov)


def index_rows(entity: ReltioEntity) -> list[Row]:
    """Every row the entity is found by: its attribute values (nested ones by their path), tags,
    label and crosswalks."""
    rows: list[Row] = []
    for name, values in entity.attributes.items():
        if isinstance(values, list):
            rows.extend(_attribute_rows(values, name, None, True))
    rows.extend(_row(TAG, "", t, True) for t in entity.tags)
    if entity.label:
        rows.append(_row(LABEL, "", entity.label, True))
    for xw in entity.crosswalks:
        rows.append(_row(XW_TYPE, "", str(xw.get("type", "")), True))
        rows.append(_row(XW_VALUE, "", str(xw.get("value", "")), True))
    return rows


# --- reference attributes ---------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True, slots=True)
class Reference:
    """A reference attribute of an entity type (decision 0005: its values are relations): entities of
    `owner` have, as values of it, the `relation` relations that start at them and end at an entity
    of type `target`."""

    owner: str
    relation: str
    target: str


References = dict[str, tuple[Reference, ...]]  # attribute name -> the types that declare it a reference


def references(registry: Any) -> References:
    """The tenant's reference attributes by name (a `types.Registry`): `attributes.Address.City`
    finds an Individual through the City of a Location its Address relation ends at."""
    out: dict[str, list[Reference]] = {}
    for owner in registry.entity_types.values():
        for attr in owner.attributes.values():
            if attr.kind == "reference" and attr.relationship_type and attr.referenced_type:
                out.setdefault(attr.name, []).append(Reference(owner.name, attr.relationship_type,
                                                                attr.referenced_type))
    return {name: tuple(refs) for name, refs in out.items()}


# --- facets -----------------------------------------------------------------------------------------

FACET_ORDERS = ("count", "reversedCount", "term", "reversedTerm")
MAX_FACETS = 20  # facets of one request
MAX_FACET_TERMS = 3_333  # pageSize × pageNo (Reltio: "exceed 3,333 terms, then an error is returned")
MAX_INCLUDE = 1_000  # terms of one includeFilter


@dataclasses.dataclass(frozen=True, slots=True)
class Facet:
    """One facet of `_facets`: the field counted (`type`, `tags`, `label`, `crosswalks.type`,
    `crosswalks.value` or `attributes.<path>`; `name` as asked), the order, the page and the terms
    kept (`includeFilter`)."""

    name: str
    field: Field
    order: str = "count"
    page_size: int = 100
    page_no: int = 1
    include: tuple[str, ...] = ()

    @property
    def offset(self) -> int:
        return (self.page_no - 1) * self.page_size


def facet(name: Any, order: Any = None, page_size: Any = None, page_no: Any = None, include: Any = None) -> Facet:
    """A facet request as Reltio documents it (`fieldName`, `orderType`, `pageSize`, `pageNo`,
    `includeFilter`), checked; FilterError (400) when it cannot be run."""
    if not isinstance(name, str) or not name.strip():
        raise FilterError("Invalid facet: 'fieldName' must be a property name")
    name = name.strip()
    field = field_of(name)
    if field.kind not in VALUE_KINDS and field.kind != "type" or (field.kind == "attr" and not field.path):
        raise FilterError(f"Invalid facet: facets count type, tags, label, crosswalks or attributes.<name>, "
                          f"not {name[:80]!r}")
    order = "count" if order is None or order == "" else order
    if order not in FACET_ORDERS:
        raise FilterError(f"Invalid facet: 'orderType' must be one of {', '.join(FACET_ORDERS)}, "
                          f"got {str(order)[:40]!r}")
    size = _positive(page_size, "pageSize", 100)
    page = _positive(page_no, "pageNo", 1)
    if size * page > MAX_FACET_TERMS:
        raise FilterError(f"Invalid facet: pageSize × pageNo must not exceed {MAX_FACET_TERMS} terms")
    terms: tuple[str, ...] = ()
    if include is not None:
        if not isinstance(include, list) or not all(isinstance(t, (str, int, float)) for t in include):
            raise FilterError("Invalid facet: 'includeFilter' must be an array of terms")
        if len(include) > MAX_INCLUDE:
            raise FilterError(f"Invalid facet: 'includeFilter' takes at most {MAX_INCLUDE} terms")
        terms = tuple(_cut(str(t)) for t in include)
        if field.kind == "type":
            terms = tuple(t[len(ENTITY_TYPES):] if t.startswith(ENTITY_TYPES) else t for t in terms)
    return Facet(name, field, order, size, page, terms)


def _positive(raw: Any, name: str, default: int) -> int:
    if raw is None or raw == "":
        return default
    if isinstance(raw, bool):
        raise FilterError(f"Invalid facet: '{name}' must be a positive integer")
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise FilterError(f"Invalid facet: '{name}' must be a positive integer, got {str(raw)[:40]!r}") from None
    if value < 1 or value > MAX_FACET_TERMS:
        raise FilterError(f"Invalid facet: '{name}' must be between 1 and {MAX_FACET_TERMS}, got {value}")
    return value
def relation_rows(relation: ReltioRelation) -> list[Row]:
    """Every row a relation is found by in relation search: its attribute values (nested ones by
    their path), as an entity's."""
    rows: list[Row] = []
    for name, values in relation.attributes.items():
        if isinstance(values, list):
            rows.extend(_attribute_rows(values, name, None, True))
    return rows
