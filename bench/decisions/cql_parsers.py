"""The parser libraries compared for CQL (docs/decisions/0019-cql.md): one query grammar written for
lark (LALR and Earley), pyparsing (infix_notation) and parsimonious (PEG); build time, parse time of
a typical query, and where each puts the error in a broken one. Run with
``pip install lark pyparsing parsimonious && python bench/decisions/cql_parsers.py``.
"""

from __future__ import annotations

import time
import timeit

import pyparsing as pp
from lark import Lark, UnexpectedInput
from parsimonious.exceptions import ParseError
from parsimonious.grammar import Grammar

Q = ('type = page and (label in ("ops", "runbook") or not space = ENG) and lastmodified > now("-4w")'
     ' order by lastmodified desc, title asc')
BAD = 'type = page and (label in ("ops" or space = ENG'

LARK = r"""
start: expr? order?
?expr: and_ (OR and_)*
?and_: not_ (AND not_)*
?not_: NOT not_ -> negate | atom
?atom: "(" expr ")" | clause
clause: FIELD OP value | FIELD IN vlist | FIELD NOT IN vlist
vlist: "(" value ("," value)* ")"
?value: STRING | WORD | func
func: WORD "(" [value ("," value)*] ")"
order: ORDER BY sort ("," sort)*
sort: FIELD DIR?
AND: "and"i
OR: "or"i
NOT: "not"i
IN: "in"i
ORDER: "order"i
BY: "by"i
DIR: "asc"i | "desc"i
OP: "=" | "!=" | "~" | "!~" | ">" | ">=" | "<" | "<="
FIELD.-1: /[A-Za-z][A-Za-z0-9_.]*/
WORD.-2: /[^\s"'(),=!<>~]+/
STRING: /"(\\.|[^"\\])*"/ | /'(\\.|[^'\\])*'/
%ignore /\s+/
"""

PEG = r"""
query = _ expr? _ order? _
expr = and_ (_ OR _ and_)*
and_ = not_ (_ AND _ not_)*
not_ = (NOT _ not_) / atom
atom = ("(" _ expr _ ")") / clause
clause = field _ ((op _ value) / (IN _ vlist) / (NOT _ IN _ vlist))
vlist = "(" _ value (_ "," _ value)* _ ")"
value = func / string / word
func = word "(" _ (value (_ "," _ value)*)? _ ")"
order = ORDER _ BY _ sort (_ "," _ sort)*
sort = field (_ DIR)?
AND = ~"and\\b"i
OR = ~"or\\b"i
NOT = ~"not\\b"i
IN = ~"in\\b"i
ORDER = ~"order\\b"i
BY = ~"by\\b"i
DIR = ~"(asc|desc)\\b"i
op = "!=" / "!~" / ">=" / "<=" / "=" / "~" / ">" / "<"
field = ~"[A-Za-z][A-Za-z0-9_.]*"
word = ~"[^\s\"'(),=!<>~]+"
string = ~'"(\\\\.|[^"\\\\])*"' / ~"'(\\\\.|[^'\\\\])*'"
_ = ~"\s*"
"""


def pyparsing_grammar() -> pp.ParserElement:
    and_, or_, not_, in_, order_, by, asc, desc = (pp.CaselessKeyword(k) for k in
                                                   "and or not in order by asc desc".split())
    field = pp.Word(pp.alphas, pp.alphanums + "_.")
    string = pp.QuotedString('"', esc_char="\\") | pp.QuotedString("'", esc_char="\\")
    word = pp.Word(pp.printables, exclude_chars="\"'(),=!<>~")
    value = pp.Forward()
    func = pp.Group(word + pp.Suppress("(") + pp.Optional(pp.DelimitedList(value)) + pp.Suppress(")"))
    value <<= func | string | word
    op = pp.one_of("= != ~ !~ >= > <= <")
    vlist = pp.Suppress("(") + pp.DelimitedList(value) + pp.Suppress(")")
    clause = pp.Group(field + (op + value | in_ + pp.Group(vlist) | not_ + in_ + pp.Group(vlist)))
    expr = pp.infix_notation(clause, [(not_, 1, pp.OpAssoc.RIGHT), (and_, 2, pp.OpAssoc.LEFT),
                                      (or_, 2, pp.OpAssoc.LEFT)])
    order = order_ + by + pp.DelimitedList(pp.Group(field + pp.Optional(asc | desc)))
    return pp.Optional(expr) + pp.Optional(order) + pp.StringEnd()


def per_parse_us(parse, n: int = 200) -> float:  # type: ignore[no-untyped-def]
    return timeit.timeit(lambda: parse(Q), number=n) / n * 1e6


def main() -> None:
    for name in ("lalr", "earley"):
        t = time.perf_counter()
        lark = Lark(LARK, parser=name)
        print(f"lark {name}: build {(time.perf_counter() - t) * 1000:.1f} ms, parse {per_parse_us(lark.parse):.0f} µs")
        try:
            lark.parse(BAD)
        except UnexpectedInput as err:
            print(f"  error: {str(err).splitlines()[0]}")
    grammar = pyparsing_grammar()
    print(f"pyparsing: parse {per_parse_us(grammar.parse_string):.0f} µs")
    try:
        grammar.parse_string(BAD)
    except pp.ParseException as err:
        print(f"  error: {err}")
    pp.ParserElement.enable_packrat()
    print(f"pyparsing with packrat: parse {per_parse_us(grammar.parse_string):.0f} µs")
    peg = Grammar(PEG)
    print(f"parsimonious: parse {per_parse_us(peg.parse):.0f} µs")
    try:
        peg.parse(BAD)
    except ParseError as err:
        print(f"  error: {str(err)[:160]}")


if __name__ == "__main__":
    main()
