"""CQL, the Confluence Query Language: text -> parse tree (lark, LALR) -> this module's query model.

The model is pure data (frozen dataclasses): `And`, `Or`, `Not` and `Clause(field, op, values)`,
with `OrderBy` beside the condition. Functions are resolved to values here, once, against the clock
and the caller handed in (`currentUser()` is an account id, `now("-4w")` and the `startOf…`/`endOf…`
functions are instants), so the store compiles nothing but fields, operators and plain values into
SQL (store/repos/search.py) — docs/decisions/0019-cql.md.

Every value is checked here: an unknown field, an operator the field does not take, a value of the
wrong kind or a syntax error raises `CqlError` with the position (0-based offset, 1-based line and
column) of the offending token, which the dialect renders as Confluence's 400.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import functools
import html
import re
from typing import Any

from lark import (
    Lark,
    Token,
    Transformer,
    Tree,
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
    v_args,
)

from bondline.domain.errors import Invalid

MAX_LENGTH = 10_000  # characters of CQL (the request line bounds it anyway)
MAX_VALUES = 1_000  # values in one IN list
MAX_CLAUSES = 200  # clauses in one query: each is a subquery in SQL

GRAMMAR = r"""
start: expr? order?
?expr: and_ (OR and_)*
?and_: not_ (AND not_)*
?not_: NOT not_ -> negate
     | atom
?atom: "(" expr ")"
     | clause
clause: FIELD OP value             -> compare
      | FIELD IN vlist             -> within
      | FIELD NOT IN vlist         -> not_within
vlist: "(" value ("," value)* ")"
?value: STRING                     -> string
      | WORD                       -> word
      | WORD "(" [value ("," value)*] ")"   -> call
order: ORDER BY sort ("," sort)*
sort: FIELD DIRECTION?

AND: /and\b/i
OR: /or\b/i
NOT: /not\b/i
IN: /in\b/i
ORDER: /order\b/i
BY: /by\b/i
DIRECTION: /(asc|desc)\b/i
OP: "=" | "!=" | "~" | "!~" | ">" | ">=" | "<" | "<="
FIELD.-1: /[A-Za-z_][A-Za-z0-9_.]*/
WORD.-2: /[^\s"'(),=!<>~]+/
STRING: /"(\\.|[^"\\])*"/ | /'(\\.|[^'\\])*'/
%ignore /\s+/
"""

_PARSER = Lark(GRAMMAR, parser="lalr", propagate_positions=False, maybe_placeholders=True)


# --- the model ------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True, slots=True)
class DateRange:
    """An instant or a period, in epoch milliseconds: [lo, hi). A day ("2026-01-31") is that whole
    day, a minute ("2026/01/31 10:00") that minute, `now()` one millisecond."""

    lo: int
    hi: int


@dataclasses.dataclass(frozen=True, slots=True)
class Text:
    """What `~` looks for: words (a trailing `*` makes one a prefix) and quoted phrases."""

    terms: tuple[tuple[str, ...], ...]  # each term: one word, or the words of a phrase
    prefix: tuple[bool, ...]  # per term: its last word is a prefix (`runb*`)
    raw: str


Value = str | int | DateRange | Text


@dataclasses.dataclass(frozen=True, slots=True)
class Clause:
    field: str  # canonical name (`favorite` is `favourite`, `content` is `id`, `space` is `space.key`)
    op: str  # = != ~ !~ > >= < <= in "not in"
    values: tuple[Value, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class And:
    parts: tuple[Condition, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Or:
    parts: tuple[Condition, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Not:
    part: Condition


Condition = Clause | And | Or | Not


@dataclasses.dataclass(frozen=True, slots=True)
class OrderBy:
    field: str  # canonical sort field
    descending: bool


@dataclasses.dataclass(frozen=True, slots=True)
class Query:
    where: Condition | None
    order: tuple[OrderBy, ...]
    text: str  # the CQL as sent

    def text_terms(self) -> list[Text]:
        """The words `text ~` and `title ~` look for (for excerpts' highlighting)."""
        out: list[Text] = []

        def walk(c: Condition | None) -> None:
            if isinstance(c, Clause):
                if c.op == "~":
                    out.extend(v for v in c.values if isinstance(v, Text))
            elif isinstance(c, (And, Or)):
                for p in c.parts:
                    walk(p)
        walk(self.where)
        return out


class CqlError(Invalid):
    """CQL that cannot be parsed, or names what does not exist: Confluence's 400."""

    def __init__(self, cql: str, problem: str, pos: int) -> None:
        line = cql.count("\n", 0, pos) + 1
        column = pos - (cql.rfind("\n", 0, pos) + 1) + 1
        detail = f"{problem} at line {line}, column {column} (character {pos})"
        super().__init__(f"Could not parse cql : {cql}", reason="CQL_INVALID",
                         details={"problem": detail, "position": pos, "line": line, "column": column})


# --- fields ---------------------------------------------------------------------------------------

EQ = ("=", "!=", "in", "not in")
TEXT_OPS = ("~", "!~")
DATE_OPS = ("=", "!=", ">", ">=", "<", "<=")

# kind of value, operators, canonical name
FIELDS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "id": ("id", EQ, "id"),
    "content": ("id", EQ, "id"),
    "ancestor": ("id", EQ, "ancestor"),
    "parent": ("id", EQ, "parent"),
    "type": ("word", EQ, "type"),
    "space": ("word", EQ, "space.key"),
    "space.key": ("word", EQ, "space.key"),
    "space.type": ("word", EQ, "space.type"),
    "space.title": ("string", EQ + TEXT_OPS, "space.title"),
    "title": ("string", EQ + TEXT_OPS, "title"),
    "text": ("string", TEXT_OPS, "text"),
    "label": ("word", EQ, "label"),
    "creator": ("user", EQ, "creator"),
    "contributor": ("user", EQ, "contributor"),
    "favourite": ("user", EQ, "favourite"),
    "favorite": ("user", EQ, "favourite"),
    "watcher": ("user", EQ, "watcher"),
    "mention": ("user", EQ, "mention"),
    "created": ("date", DATE_OPS, "created"),
    "lastmodified": ("date", DATE_OPS, "lastmodified"),
}
# GET /search/user takes only these (and /search none of them, as Cloud's document says).
USER_FIELDS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "type": ("word", EQ, "type"),
    "user": ("user", EQ, "user"),
    "user.accountid": ("user", EQ, "user"),
    "user.fullname": ("string", EQ + TEXT_OPS, "user.fullname"),
}
USER_SORT_FIELDS = {"user": "user", "user.accountid": "user", "user.fullname": "user.fullname"}
SORT_FIELDS = {"id": "id", "content": "id", "title": "title", "created": "created", "lastmodified": "lastmodified",
               "type": "type", "space": "space.key", "space.key": "space.key", "space.title": "space.title"}
CONTENT_TYPES = ("page", "blogpost", "comment", "attachment")


# --- parsing ----------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True, slots=True)
class _Call:
    name: Token
    args: tuple[Any, ...]


@v_args(inline=True)
class _ToRaw(Transformer[Token, Any]):
    """The parse tree as nested tuples, keeping tokens (their positions) for the checks that follow."""

    def string(self, tok: Token) -> Token:
        body = tok[1:-1]
        return tok.update(value=re.sub(r"\\(.)", r"\1", body))

    def word(self, tok: Token) -> Token:
        return tok

    def call(self, name: Token, *args: Any) -> _Call:
        return _Call(name, tuple(a for a in args if a is not None))

    def vlist(self, *values: Any) -> tuple[Any, ...]:
        return values

    def compare(self, field: Token, op: Token, value: Any) -> tuple[str, Token, str, Any]:
        return ("clause", field, str(op), (value,))

    def within(self, field: Token, _in: Token, values: tuple[Any, ...]) -> tuple[str, Token, str, Any]:
        return ("clause", field, "in", values)

    def not_within(self, field: Token, _not: Token, _in: Token, values: tuple[Any, ...],
                   ) -> tuple[str, Token, str, Any]:
        return ("clause", field, "not in", values)

    def negate(self, _not: Token, part: Any) -> tuple[str, Any]:
        return ("not", part)

    def and_(self, *items: Any) -> tuple[str, list[Any]]:
        return ("and", [i for i in items if not isinstance(i, Token)])

    def expr(self, *items: Any) -> tuple[str, list[Any]]:
        return ("or", [i for i in items if not isinstance(i, Token)])

    def sort(self, field: Token, direction: Token | None = None) -> tuple[Token, bool]:
        return field, direction is not None and direction.lower() == "desc"

    def order(self, _order: Token, _by: Token, *sorts: tuple[Token, bool]) -> tuple[str, tuple[Any, ...]]:
        return ("order", sorts)


def _parse_error(cql: str, err: UnexpectedInput) -> CqlError:
    pos = getattr(err, "pos_in_stream", None)
    if isinstance(err, UnexpectedEOF) or pos is None:
        return CqlError(cql, "Unexpected end of query", len(cql))
    if isinstance(err, UnexpectedToken):
        tok = err.token
        if tok.type == "$END":
            return CqlError(cql, "Unexpected end of query", len(cql))
        return CqlError(cql, f"Unexpected {str(tok)[:40]!r}", pos)
    if isinstance(err, UnexpectedCharacters):
        return CqlError(cql, f"Unexpected character {cql[pos]!r}", pos)
    return CqlError(cql, "Syntax error", pos)


@dataclasses.dataclass(frozen=True, slots=True)
class Context:
    """`cqlcontext`'s space and content: what `currentSpace()` and `currentContent()` name (the
    execution context of CQL's functions, as Confluence's search resource describes it; without
    it those functions are not available)."""

    space_key: str | None = None
    content_id: int | None = None


def parse(cql: str, *, now_ms: int, account_id: str, users: bool = False, context: Context | None = None) -> Query:
    """Parse and check `cql`, resolving its functions for the caller `account_id` at `now_ms` (and
    `context`: cqlcontext's space and content); `users`: a query of GET /search/user (user fields only)."""
    if len(cql) > MAX_LENGTH:
        raise CqlError(cql[:200], f"The query is longer than {MAX_LENGTH} characters", MAX_LENGTH)
    if not cql.strip():
        raise CqlError(cql, "The query is empty", 0)
    items = _syntax(cql)
    where_raw = next((i for i in items if i is not None and i[0] != "order"), None)
    order_raw = next((i for i in items if i is not None and i[0] == "order"), None)
    resolver = _Resolver(cql, now_ms, account_id, USER_FIELDS if users else FIELDS,
                         USER_SORT_FIELDS if users else SORT_FIELDS, context or Context())
    where = resolver.condition(where_raw) if where_raw is not None else None
    order = tuple(resolver.sort(f, d) for f, d in (order_raw[1] if order_raw else ()))
    return Query(where, order, cql)


@functools.lru_cache(maxsize=512)
def _syntax(cql: str) -> tuple[Any, ...]:
    """The query's parse, as `_ToRaw` gives it, kept per text: clients repeat the same few queries,
    and parsing is most of the domain's work for one (what follows depends on the caller and the
    clock, and is done every time). What is kept is never changed by its readers."""
    try:
        tree = _PARSER.parse(cql)
    except UnexpectedInput as err:
        raise _parse_error(cql, err) from None
    return tuple(_ToRaw().transform(tree).children) if isinstance(tree, Tree) else ()


class _Resolver:
    def __init__(self, cql: str, now_ms: int, account_id: str, fields: dict[str, tuple[str, tuple[str, ...], str]],
                 sort_fields: dict[str, str], context: Context) -> None:
        self.context = context
        self.fields = fields
        self.sort_fields = sort_fields
        self.cql = cql
        self.now = now_ms
        self.account_id = account_id
        self.clauses = 0

    def error(self, problem: str, tok: Any) -> CqlError:
        pos = tok.start_pos if isinstance(tok, Token) and tok.start_pos is not None else (
            tok.name.start_pos if isinstance(tok, _Call) and tok.name.start_pos is not None else 0)
        return CqlError(self.cql, problem, pos)

    def condition(self, raw: Any) -> Condition:
        kind = raw[0]
        if kind == "not":
            return Not(self.condition(raw[1]))
        if kind in ("and", "or"):
            parts = tuple(self.condition(p) for p in raw[1])
            return And(parts) if kind == "and" else Or(parts)
        return self.clause(raw[1], raw[2], raw[3])

    def sort(self, field: Token, descending: bool) -> OrderBy:
        name = self.sort_fields.get(field.lower())
        if name is None:
            raise self.error(f"Cannot order by field {str(field)[:60]!r}", field)
        return OrderBy(name, descending)

    def clause(self, field: Token, op: str, raw_values: tuple[Any, ...]) -> Clause:
        self.clauses += 1
        if self.clauses > MAX_CLAUSES:
            raise self.error(f"A query has at most {MAX_CLAUSES} clauses", field)
        spec = self.fields.get(field.lower())
        if spec is None:
            raise self.error(f"No field exists with the name {str(field)[:60]!r}", field)
        kind, ops, name = spec
        op = op.lower()
        if op not in ops:
            raise self.error(f"The operator '{op.upper() if ' ' in op or op == 'in' else op}' is not supported"
                             f" by the field '{field}'", field)
        if len(raw_values) > MAX_VALUES:
            raise self.error(f"A list has at most {MAX_VALUES} values", field)
        values = tuple(self.value(kind, op, v, name) for v in raw_values)
        return Clause(name, op, values)

    # --- values -----------------------------------------------------------------------------------
    def value(self, kind: str, op: str, raw: Any, field: str) -> Value:
        if isinstance(raw, _Call):
            return self.call(kind, raw, field)
        text = str(raw)
        if kind == "id":
            if not re.fullmatch(r"(att)?[0-9]{1,18}", text):
                raise self.error(f"Invalid content id {text[:40]!r}", raw)
            return int(text.removeprefix("att"))
        if op in TEXT_OPS:
            return _text(text)
        if kind == "date":
            found = _date(text, self.now)
            if found is None:
                raise self.error(f"Invalid date {text[:40]!r}: use \"yyyy/MM/dd HH:mm\", \"yyyy-MM-dd HH:mm\","
                                 " \"yyyy/MM/dd\", \"yyyy-MM-dd\" or a period such as \"-4w\"", raw)
            return found
        if field == "type" and text.lower() in (*CONTENT_TYPES, "space"):
            return text.lower()
        return text

    def call(self, kind: str, raw: _Call, field: str) -> Value:
        name = raw.name.lower()
        args = [str(a) for a in raw.args if not isinstance(a, _Call)]
        if len(args) != len(raw.args) or len(args) > 1:
            raise self.error(f"Invalid arguments to {raw.name}()", raw)
        arg = args[0] if args else ""
        if name == "currentuser":
            if kind != "user" or args:
                raise self.error("currentUser() takes no argument and names a user", raw)
            return self.account_id
        if name == "currentspace" and field == "space.key" and not args:
            if self.context.space_key is None:
                raise self.error("currentSpace() needs the spaceKey of cqlcontext", raw)
            return self.context.space_key
        if name == "currentcontent" and kind == "id" and not args:
            if self.context.content_id is None:
                raise self.error("currentContent() needs the contentId of cqlcontext", raw)
            return self.context.content_id
        if kind != "date" or name not in _DATE_FUNCTIONS:
            raise self.error(f"Unsupported function {str(raw.name)[:40]}() for this field", raw)
        instant = _date_function(name, arg, self.now)
        if instant is None:
            raise self.error(f"Invalid argument {arg[:40]!r} to {raw.name}()", raw)
        return DateRange(instant, instant + 1)


# --- text ---------------------------------------------------------------------------------------------

_WORD = re.compile(r"\w+", re.UNICODE)
_TERM = re.compile(r'"([^"]*)"|(\S+)')


def _text(value: str) -> Text:
    """`~`'s value: words and quoted phrases; `*` at the end of a word makes it a prefix. Anything
    else (punctuation, Lucene operators) separates words, as Confluence's analyser does."""
    terms: list[tuple[str, ...]] = []
    prefix: list[bool] = []
    for match in _TERM.finditer(value):
        phrase, word = match.group(1), match.group(2)
        words = tuple(w.lower() for w in _WORD.findall(phrase if phrase is not None else word))
        if not words:
            continue
        terms.append(words)
        prefix.append(phrase is None and word.endswith("*"))
    return Text(tuple(terms), tuple(prefix), value)


# --- dates ----------------------------------------------------------------------------------------------

_ABSOLUTE = re.compile(r"(\d{4})[-/](\d{1,2})[-/](\d{1,2})(?:\s+(\d{1,2}):(\d{2}))?")
_PERIOD = re.compile(r"([+-]?)(\d{1,6})([yMwdhm])")
_DAY = 86_400_000
_DATE_FUNCTIONS = {"now", "startofday", "endofday", "startofweek", "endofweek", "startofmonth", "endofmonth",
                   "startofyear", "endofyear"}
_UNIT_OF = {"day": "d", "week": "w", "month": "M", "year": "y"}


def _ms(t: dt.datetime) -> int:
    return int(t.replace(tzinfo=dt.UTC).timestamp() * 1000)


def _shift(now: int, sign: str, n: int, unit: str) -> int | None:
    n = -n if sign == "-" else n
    if unit in "mhdw":
        return now + n * {"m": 60_000, "h": 3_600_000, "d": _DAY, "w": 7 * _DAY}[unit]
    t = dt.datetime.fromtimestamp(now / 1000, dt.UTC).replace(tzinfo=None)
    months = t.month - 1 + n * (12 if unit == "y" else 1)
    year, month = t.year + months // 12, months % 12 + 1
    if not 1 <= year <= 9999:
        return None
    day = min(t.day, calendar.monthrange(year, month)[1])
    return _ms(t.replace(year=year, month=month, day=day))


def _date(text: str, now: int) -> DateRange | None:
    """An absolute date (a day, or a minute), or a period from now ("-4w": an instant)."""
    m = _ABSOLUTE.fullmatch(text.strip())
    if m:
        y, mo, d, hh, mm = m.groups()
        try:
            start = dt.datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0))
        except ValueError:
            return None
        lo = _ms(start)
        return DateRange(lo, lo + (60_000 if hh is not None else _DAY))
    p = _PERIOD.fullmatch(text.strip())
    if p:
        at = _shift(now, p.group(1), int(p.group(2)), p.group(3))
        return None if at is None else DateRange(at, at + 1)
    return None


def _date_function(name: str, arg: str, now: int) -> int | None:
    """now("-4w"); startOfDay/Week/Month/Year and endOf… with an optional increment ("-1", "+2d"):
    the instant, in UTC. Weeks start on Monday (ISO 8601)."""
    if name == "now":
        if not arg:
            return now
        p = _PERIOD.fullmatch(arg.strip())
        return _shift(now, p.group(1), int(p.group(2)), p.group(3)) if p else None
    unit_name = name.removeprefix("startof").removeprefix("endof")
    unit = _UNIT_OF[unit_name]
    at = now
    if arg:
        p = re.fullmatch(r"([+-]?)(\d{1,6})([yMwdhm]?)", arg.strip())
        if p is None:
            return None
        shifted = _shift(now, p.group(1), int(p.group(2)), p.group(3) or unit)
        if shifted is None:
            return None
        at = shifted
    t = dt.datetime.fromtimestamp(at / 1000, dt.UTC).replace(tzinfo=None)
    day = t.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "d":
        start, end = day, day + dt.timedelta(days=1)
    elif unit == "w":
        start = day - dt.timedelta(days=day.weekday())
        end = start + dt.timedelta(days=7)
    elif unit == "M":
        start = day.replace(day=1)
        end = (start + dt.timedelta(days=32)).replace(day=1)
    else:
        start = day.replace(month=1, day=1)
        if start.year >= 9999:
            return None
        end = start.replace(year=start.year + 1)
    return _ms(start) if name.startswith("start") else _ms(end) - 1


# --- what text search reads ----------------------------------------------------------------------

_TAG = re.compile(r"<[^>]*>")
_MENTION = re.compile(r"""ri:account-id\s*=\s*["']([^"'<>]{1,128})["']""")
_SPACES = re.compile(r"\s+")


def plain_text(body: str) -> str:
    """A body's words without its markup (storage format is XHTML): what `text ~` searches and an
    excerpt shows. Tags become spaces, entities their characters."""
    return _SPACES.sub(" ", html.unescape(_TAG.sub(" ", body))).strip()


def mentions(body: str) -> list[str]:
    """The account ids a body mentions (`<ac:link><ri:user ri:account-id="…"/></ac:link>`), once
    each, in order: what `mention = …` finds."""
    return list(dict.fromkeys(_MENTION.findall(body)))
