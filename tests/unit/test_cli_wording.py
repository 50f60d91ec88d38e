"""The CLI's own words for the APIs' messages (bondline.cli.wording): flags and TYPE:KEY arguments,
not wire parameters. The commands that print them are tested in tests/cli and tests/e2e."""

from __future__ import annotations

import pytest

from bondline.cli.wording import in_cli_words


@pytest.mark.parametrize("api, cli", [
    ("Change request changeRequests/x has 1 conflicted item(s): a. Remove them, or apply with ignoreConflicts=true",
     "Change request changeRequests/x has 1 conflicted item(s): a. Remove them, or run `bondline dcr apply` again "
     "with --ignore-conflicts"),
    ("No content exists for the specified contentId", "No content exists with that id (content:ID)"),
    ("No space exists for the specified spaceKey", "No space exists with that key (space:KEY)"),
    ("Invalid sourceType 'foo': use one of user, space, content", "Invalid SOURCE type 'foo': use one of user, "
     "space, content"),
    ("Invalid targetKey 'x': content ids are positive integers", "Invalid TARGET key 'x': content ids are positive "
     "integers"),
    ("The sourceType of a 'favourite' relationship must be 'user'",
     "The source of a 'favourite' relationship must be a user (user:current or user:ACCOUNT_ID)"),
    ("Parameter 'limit' must be between 0 and 200, got 500", "--limit must be between 0 and 200, got 500"),
    ("'max' must be between 1 and 1000", "--max must be between 1 and 1000"),
    ("'since' must be an ISO date-time or epoch milliseconds, got 'x'",
     "--since must be an ISO date-time or epoch milliseconds, got 'x'"),
    ("status must be one of pending, delivered, dead", "--status must be one of pending, delivered, dead"),
    ("Unknown state 'DONE': use one of AWAITING_REVIEW, APPLIED, REJECTED or all",
     "Unknown state 'DONE': give --state AWAITING_REVIEW, APPLIED, REJECTED, or --all"),
    ("No user with accountId ada", "No user with accountId ada"),  # the CLI's own word too
])
def test_api_words_become_cli_words(api: str, cli: str) -> None:
    assert in_cli_words(api) == cli
