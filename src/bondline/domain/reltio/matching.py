"""Match rules: which entities of a type are potential duplicates of one another.

A tenant declares them on an entity type as Reltio does, under `matchGroups`:

    {"uri": "configuration/entityTypes/Individual/matchGroups/ExactName", "label": "Exact name",
     "type": "suspect",
     "rule": {"exact": ["configuration/entityTypes/Individual/attributes/FirstName",
                        "configuration/entityTypes/Individual/attributes/LastName"],
              "fuzzy": ["configuration/entityTypes/Individual/attributes/City"],
              "exactOrNull": ["configuration/entityTypes/Individual/attributes/Suffix"]}}

(`rule` may also wrap them in `and`, as Reltio's examples do.) Two entities match by a rule when, for
every `exact` attribute, some value of one equals some value of the other (case and spacing
ignored); for every `fuzzy` attribute, two values are within a small edit distance (one edit for
values up to 8 characters, two beyond); for every `exactOrNull` attribute, the values are equal or
one side has none. Ignored values never match. `type` is `suspect` (a potential match a person
resolves) or `automatic` (merged when found).

Candidates come from the value index (`entity_values`), by the rule's first exact attribute, or
for a rule with fuzzy attributes only, by the first two characters of its first fuzzy attribute:
`candidate_keys` says which (path, key) pairs to look up; `rule_matches` decides.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from bondline.domain.errors import Invalid
from bondline.domain.reltio.objects import ReltioEntity
from bondline.domain.reltio.types import ENTITY_PREFIX, ObjectType

SUSPECT, AUTOMATIC = "suspect", "automatic"
KINDS = (SUSPECT, AUTOMATIC)
MAX_RULES = 50
MAX_ATTRIBUTES = 10
FUZZY_PREFIX = 2


@dataclasses.dataclass(frozen=True, slots=True)
class MatchRule:
    uri: str
    label: str
    type: str  # SUSPECT | AUTOMATIC
    exact: tuple[str, ...] = ()  # attribute names (top-level simple attributes)
    fuzzy: tuple[str, ...] = ()
    exact_or_null: tuple[str, ...] = ()


def _names(t: ObjectType, raw: Any, where: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or len(raw) > MAX_ATTRIBUTES:
        raise Invalid(f"{where}: a list of at most {MAX_ATTRIBUTES} attribute URIs")
    out = []
    prefix = f"{t.uri}/attributes/"
    for item in raw:
        if not isinstance(item, str):
            raise Invalid(f"{where}: attribute URIs are strings")
        name = item[len(prefix):] if item.startswith(prefix) else item
        attr = t.attributes.get(name)
        if attr is None or attr.kind != "simple":
            raise Invalid(f"{where}: {item[:200]} is not a simple attribute of {t.uri}")
        out.append(name)
    return tuple(out)


def parse_rules(t: ObjectType, raw: Any) -> tuple[MatchRule, ...]:
    """The match groups an entity type declares (checked when the configuration is written)."""
    if raw is None:
        return ()
    where = f"{t.uri}/matchGroups"
    if not isinstance(raw, list) or len(raw) > MAX_RULES:
        raise Invalid(f"{where}: a list of at most {MAX_RULES} match groups")
    rules = []
    for i, group in enumerate(raw):
        at = f"{where}[{i}]"
        if not isinstance(group, dict):
            raise Invalid(f"{at}: a match group is an object")
        uri = group.get("uri")
        if not isinstance(uri, str) or not uri.startswith(f"{t.uri}/matchGroups/") or len(uri) > 300:
            raise Invalid(f"{at}: 'uri' must be {t.uri}/matchGroups/{{name}}")
        kind = group.get("type", SUSPECT)
        if kind not in KINDS:
            raise Invalid(f"{at}: 'type' must be one of {', '.join(KINDS)}")
        rule = group.get("rule")
        if isinstance(rule, dict) and isinstance(rule.get("and"), dict):
            rule = rule["and"]
        if not isinstance(rule, dict):
            raise Invalid(f"{at}: 'rule' must be an object")
        exact = _names(t, rule.get("exact"), f"{at}.rule.exact")
        fuzzy = _names(t, rule.get("fuzzy"), f"{at}.rule.fuzzy")
        if not exact and not fuzzy:
            raise Invalid(f"{at}: a rule needs at least one exact or fuzzy attribute")
        label = group.get("label", uri.rsplit("/", 1)[-1])
        rules.append(MatchRule(uri, label if isinstance(label, str) else "", kind, exact, fuzzy,
                               _names(t, rule.get("exactOrNull"), f"{at}.rule.exactOrNull")))
    return tuple(rules)


def rules_of(t: ObjectType) -> tuple[MatchRule, ...]:
    return parse_rules(t, t.definition.get("matchGroups"))


def normalized(value: str) -> str:
    return " ".join(value.lower().split())


def values_of(e: ReltioEntity, name: str) -> list[str]:
    """The normalized values of a simple attribute that take part in matching (not ignored ones)."""
    return [normalized(v["value"]) for v in e.attributes.get(name, [])
            if isinstance(v.get("value"), str) and not v.get("ignored") and v["value"].strip()]


def _distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance, stopping once it exceeds `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        if min(current) > limit:
            return limit + 1
        previous = current
    return previous[-1]


def fuzzy_equal(a: str, b: str) -> bool:
    limit = 1 if max(len(a), len(b)) <= 8 else 2
    return _distance(a, b, limit) <= limit


def rule_matches(rule: MatchRule, a: ReltioEntity, b: ReltioEntity) -> bool:
    for name in rule.exact:
        if not set(values_of(a, name)) & set(values_of(b, name)):
            return False
    for name in rule.fuzzy:
        left, right = values_of(a, name), values_of(b, name)
        if not any(fuzzy_equal(x, y) for x in left for y in right):
            return False
    for name in rule.exact_or_null:
        these, those = set(values_of(a, name)), set(values_of(b, name))
        if these and those and not these & those:
            return False
    return True


def candidate_keys(rule: MatchRule, e: ReltioEntity) -> tuple[str, bool, list[str]]:
    """(index path, by prefix, keys) to find the rule's candidates for `e`: the values of its first
    exact attribute, or the leading characters of its first fuzzy attribute's values."""
    if rule.exact:
        return rule.exact[0], False, sorted(set(_indexed(e, rule.exact[0])))
    name = rule.fuzzy[0]
    return name, True, sorted({v[:FUZZY_PREFIX] for v in _indexed(e, name) if v[:FUZZY_PREFIX].strip()})


def _indexed(e: ReltioEntity, name: str) -> list[str]:
    """The values as the value index keeps them (`filters.index_rows`: first 256 characters, lower-cased)."""
    return [v["value"][:256].lower() for v in e.attributes.get(name, [])
            if isinstance(v.get("value"), str) and not v.get("ignored") and v["value"].strip()]


@dataclasses.dataclass(frozen=True, slots=True)
class Match:
    entity: ReltioEntity
    rules: tuple[MatchRule, ...]

    @property
    def automatic(self) -> bool:
        return any(r.type == AUTOMATIC for r in self.rules)


def evaluate(rules: Iterable[MatchRule], e: ReltioEntity, candidates: Iterable[ReltioEntity],
             not_matches: set[str] = frozenset()) -> list[Match]:  # type: ignore[assignment]
    """The candidates `e` matches, with the rules each matched by; never `e` itself, another type,
    or an entity marked not a match of `e`."""
    rules = tuple(rules)
    out = []
    for other in candidates:
        if other.id == e.id or other.type != e.type or other.id in not_matches:
            continue
        by = tuple(r for r in rules if rule_matches(r, e, other))
        if by:
            out.append(Match(other, by))
    out.sort(key=lambda m: m.entity.id)
    return out


def type_uri(name: str) -> str:
    return ENTITY_PREFIX + name
