"""Fault injection: which requests get added latency, a 429, a 5xx, or their connection dropped.

Off by default. A configuration is a list of rules and a seed:

    seed: 42
    rules:
      - kind: latency              # latency | rate_limit | error | drop
        path: /wiki/rest/api/content/*   # a glob on the path, or re:<regex>
        methods: [GET]             # default: every method
        delay: 0.2                 # seconds, or [min, max] drawn per request
      - kind: rate_limit           # 429 with Retry-After (and X-RateLimit-* headers)
        path: /wiki/*
        times: 2                   # only the first two matching requests
        retryAfter: 1
      - kind: rate_limit           # a real limit: 10 requests per second, then 429 until the window ends
        path: /reltio/*
        limit: 10
        window: 1
      - kind: error                # a share of 503s
        status: 503
        probability: 0.1
      - kind: drop                 # close the connection without a response
        path: re:^/wiki/rest/api/relation/
        after: 3                   # leave the first three matching requests alone

Every rule draws its random decisions (`probability`, a `[min, max]` delay) from its own generator
seeded with the configuration's seed and the rule's position, so a run is reproducible: the same
requests in the same order meet the same faults. Rules are tried in order; every matching latency
rule adds its delay, and the first rule that fires a 429, an error or a drop answers the request.

This module decides; `bondline.testing.instrument` applies the decisions.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import json
import math
import random
import re
import time
from collections.abc import Callable
from typing import Any, Literal

import msgspec

KINDS = ("latency", "rate_limit", "error", "drop")
MAX_DELAY = 120.0


class FaultConfigError(ValueError):
    pass


class Rule(msgspec.Struct, forbid_unknown_fields=True, rename="camel", kw_only=True, omit_defaults=True):
    kind: Literal["latency", "rate_limit", "error", "drop"]
    path: str = "*"
    methods: list[str] = []
    method: str | None = None
    probability: float = 1.0
    times: int | None = None
    after: int = 0
    delay: float | list[float] = 0.0
    retry_after: int | None = None
    limit: int | None = None
    window: float = 1.0
    status: int = 503


class Config(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    seed: int = 0
    rules: list[Rule] = []


def _check(rule: Rule, where: str) -> None:
    def bad(message: str) -> FaultConfigError:
        return FaultConfigError(f"{where}: {message}")

    if not 0.0 <= rule.probability <= 1.0:
        raise bad("probability is a share from 0 to 1")
    if rule.times is not None and rule.times < 0:
        raise bad("times cannot be negative")
    if rule.after < 0:
        raise bad("after cannot be negative")
    delays = rule.delay if isinstance(rule.delay, list) else [rule.delay]
    if len(delays) not in (1, 2) or any(not 0 <= d <= MAX_DELAY for d in delays) or delays != sorted(delays):
        raise bad(f"delay is seconds from 0 to {MAX_DELAY:g}, or [min, max]")
    if rule.retry_after is not None and not 0 <= rule.retry_after <= 86_400:
        raise bad("retryAfter is whole seconds from 0 to 86400")
    if rule.limit is not None and rule.limit < 0:
        raise bad("limit cannot be negative")
    if rule.window <= 0:
        raise bad("window is a positive number of seconds")
    if rule.kind == "error" and not 400 <= rule.status <= 599:
        raise bad("status is an HTTP error status (400-599)")
    if rule.path.startswith("re:"):
        try:
            re.compile(rule.path[3:])
        except re.error as exc:
            raise bad(f"the path regex does not compile: {exc}") from None
    elif not rule.path.startswith("/") and rule.path != "*":
        raise bad("path is a glob starting with / (or *), or re:<regex>")


def parse(data: Any) -> Config:
    """A configuration from decoded JSON/YAML: `{"seed": …, "rules": […]}` or a bare list of rules."""
    if isinstance(data, list):
        data = {"rules": data}
    if data is None:
        data = {}
    try:
        config = msgspec.convert(data, Config)
    except msgspec.ValidationError as exc:
        raise FaultConfigError(f"invalid fault configuration: {exc}") from None
    for i, rule in enumerate(config.rules):
        _check(rule, f"rules[{i}]")
    return config


def parse_text(text: str) -> Config:
    """A configuration written as JSON or YAML."""
    import yaml

    try:
        try:
            data = json.loads(text)
        except ValueError:
            try:
                data = yaml.safe_load(text)
            except yaml.YAMLError as exc:
                raise FaultConfigError(f"the fault configuration is neither JSON nor YAML: {exc}") from None
    except RecursionError:  # both parsers recurse once per level of nesting
        raise FaultConfigError("the fault configuration is nested too deeply") from None
    return parse(data)


def from_setting(value: str) -> Config:
    """`BONDLINE_FAULTS` / `--faults`: the configuration inline (JSON or YAML), or a file's path."""
    stripped = value.strip()
    if not stripped:
        return Config()
    if stripped[0] in "{[" or "\n" in stripped:
        return parse_text(stripped)
    try:
        with open(stripped, encoding="utf-8") as f:
            return parse_text(f.read())
    except OSError as exc:
        raise FaultConfigError(f"cannot read the fault configuration {stripped}: {exc}") from None


def parse_flag(text: str) -> Rule:
    """One rule written on the command line: `KIND key=value …`, e.g.
    `rate_limit path=/wiki/* times=2 retryAfter=1` or `latency delay=0.1,0.3 methods=GET,PUT`."""
    words = text.split()
    if not words:
        raise FaultConfigError("an empty --fault")
    data: dict[str, Any] = {"kind": words[0].replace("-", "_")}
    for word in words[1:]:
        key, sep, value = word.partition("=")
        if not sep:
            raise FaultConfigError(f"--fault {text!r}: write options as key=value, not {word!r}")
        key = re.sub(r"_([a-z])", lambda m: m.group(1).upper(), key)
        if key in ("methods",):
            data[key] = [m for m in value.split(",") if m]
        elif key == "delay" and "," in value:
            data[key] = [_number(v, text) for v in value.split(",")]
        elif key in ("path", "method", "kind"):
            data[key] = value
        else:
            data[key] = _number(value, text)
    config = parse({"rules": [data]})
    return config.rules[0]


def _number(value: str, text: str) -> float | int:
    try:
        return int(value)
    except ValueError:
        try:
            return float(value)
        except ValueError:
            raise FaultConfigError(f"--fault {text!r}: {value!r} is not a number") from None


def to_json(config: Config) -> str:
    return msgspec.json.encode(config).decode()


def as_data(config: Config) -> dict[str, Any]:
    return msgspec.to_builtins(config)


# --- deciding -----------------------------------------------------------------------------------

@dataclasses.dataclass(slots=True)
class Decision:
    """What happens to one request: a delay first, then maybe an answer instead of the app's."""

    delay: float = 0.0
    action: str | None = None  # "rate_limit" | "error" | "drop"
    status: int = 0
    retry_after: int | None = None
    limit: int | None = None
    reset_in: float | None = None  # seconds until a rate limit window ends
    labels: list[str] = dataclasses.field(default_factory=list)


class _Active:
    __slots__ = ("rule", "rng", "matches_path", "methods", "seen", "fired", "window_start", "window_count")

    def __init__(self, rule: Rule, rng: random.Random) -> None:
        self.rule = rule
        self.rng = rng
        if rule.path.startswith("re:"):
            self.matches_path: Callable[[str], object] = re.compile(rule.path[3:]).search  # truthy: a match
        elif rule.path == "*":
            self.matches_path = lambda path: True
        else:
            pattern = re.compile(fnmatch.translate(rule.path))
            self.matches_path = pattern.match
        methods = [m.upper() for m in rule.methods] + ([rule.method.upper()] if rule.method else [])
        self.methods = frozenset(methods)
        self.seen = 0
        self.fired = 0
        self.window_start = -math.inf
        self.window_count = 0

    def matches(self, method: str, path: str) -> bool:
        return (not self.methods or method in self.methods) and bool(self.matches_path(path))


class Plan:
    """The running state of a configuration (counters, windows, random generators)."""

    def __init__(self, config: Config, clock: Callable[[], float] = time.monotonic) -> None:
        self.config = config
        self.clock = clock
        self.rules = [_Active(rule, random.Random(f"bondline-faults:{config.seed}:{i}"))
                      for i, rule in enumerate(config.rules)]

    def __bool__(self) -> bool:
        return bool(self.rules)

    def extend(self, rules: list[Rule]) -> None:
        """Add rules after the others, whose counters and random draws go on undisturbed."""
        start = len(self.rules)
        self.config = Config(seed=self.config.seed, rules=[*self.config.rules, *rules])
        self.rules += [_Active(rule, random.Random(f"bondline-faults:{self.config.seed}:{start + i}"))
                       for i, rule in enumerate(rules)]

    def decide(self, method: str, path: str) -> Decision:
        decision = Decision()
        for active in self.rules:
            if not active.matches(method, path):
                continue
            rule = active.rule
            active.seen += 1
            if active.seen <= rule.after:
                continue
            if rule.times is not None and active.fired >= rule.times:
                continue
            if rule.kind == "rate_limit" and rule.limit is not None:
                now = self.clock()
                if now - active.window_start >= rule.window:
                    active.window_start = now
                    active.window_count = 0
                active.window_count += 1
                if active.window_count <= rule.limit:
                    continue
                reset_in = active.window_start + rule.window - now
                active.fired += 1
                decision.action = "rate_limit"
                decision.status = 429
                decision.limit = rule.limit
                decision.reset_in = reset_in
                decision.retry_after = rule.retry_after if rule.retry_after is not None else max(1, math.ceil(reset_in))
                decision.labels.append("rate_limit")
                return decision
            if rule.probability < 1.0 and active.rng.random() >= rule.probability:
                continue
            active.fired += 1
            if rule.kind == "latency":
                if isinstance(rule.delay, list):
                    delay = rule.delay[0] if len(rule.delay) == 1 else active.rng.uniform(rule.delay[0], rule.delay[1])
                else:
                    delay = rule.delay
                decision.delay += delay
                decision.labels.append(f"latency:{delay:.3f}")
                continue
            decision.action = rule.kind
            decision.labels.append(rule.kind if rule.kind != "error" else f"error:{rule.status}")
            if rule.kind == "rate_limit":
                decision.status = 429
                decision.retry_after = 1 if rule.retry_after is None else rule.retry_after
            elif rule.kind == "error":
                decision.status = rule.status
                decision.retry_after = rule.retry_after
            return decision
        return decision
