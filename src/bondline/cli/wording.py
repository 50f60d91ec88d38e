"""The CLI's own words for what the APIs and the use cases say in theirs.

Error messages are written for the wire (`ignoreConflicts=true`, `contentId`, `'max'`): that is what
an HTTP client sends, and the APIs must keep saying it. Someone at the command line typed flags and
TYPE:KEY arguments instead, so every message the CLI prints goes through `in_cli_words` first."""

from __future__ import annotations

import re
from collections.abc import Callable


def _argument(m: re.Match[str]) -> str:
    return f"{m.group(1).upper()} {m.group(2).lower()}"  # sourceType: the type in SOURCE (TYPE:KEY)


# (pattern, replacement), in order. Each names what the CLI user typed or should type.
_PHRASES: list[tuple[re.Pattern[str], str | Callable[[re.Match[str]], str]]] = [(re.compile(p), r) for p, r in (
    # dcr apply on conflicted items
    (r"or apply with ignoreConflicts=true", "or run `bondline dcr apply` again with --ignore-conflicts"),
    (r"\bignoreConflicts=true\b", "--ignore-conflicts"),
    # watch status/add/remove TARGET
    (r"for the specified contentId", "with that id (content:ID)"),
    (r"for the specified spaceKey", "with that key (space:KEY)"),
    (r"for the specified labelName", "with that name (label:NAME)"),
    # relation put/get/delete NAME SOURCE TARGET
    (r"The sourceType of a ('[^']+') relationship must be 'user'",
     r"The source of a \1 relationship must be a user (user:current or user:ACCOUNT_ID)"),
    (r"The targetType of a ('[^']+') relationship must be (.+)$", r"The target of a \1 relationship must be \2"),
    (r"\b(source|target)(Type|Key)\b", _argument),
    # paging and filters of relation targets/sources, dcr list, audit, webhooks deliveries
    (r"Parameter '(start|limit)'", r"--\1"),
    (r"^'(max|offset|since)' must", r"--\1 must"),
    (r"^(limit|status) must be", r"--\1 must be"),
    (r"^(Unknown state '[^']*'): use one of (.+) or all$", r"\1: give --state \2, or --all"),
)]


def in_cli_words(message: str) -> str:
    for pattern, replacement in _PHRASES:
        message = pattern.sub(replacement, message)
    return message
