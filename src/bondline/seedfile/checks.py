"""The cross-checks msgspec cannot do, in file order (the first problem found is the one reported):
users, spaces and content here; relations and watches in `links`; Reltio tenants in `tenants`."""

from __future__ import annotations

from bondline.domain import accounts as account_rules
from bondline.domain import content as content_rules
from bondline.domain import labels as label_rules
from bondline.domain import spaces as space_rules
from bondline.seedfile import links, tenants
from bondline.seedfile.document import Document, Path
from bondline.seedfile.references import is_alias
from bondline.seedfile.schema import Content, Version


def cross_check(doc: Document) -> None:
    check_users(doc)
    space_keys = check_spaces(doc)
    content_keys = check_content(doc, space_keys)
    links.check_relations(doc, content_keys)
    links.check_watches(doc, content_keys)
    tenants.check_tenants(doc)


def check_users(doc: Document) -> None:
    """Valid accounts, each accountId, email and token id used once."""
    seen_ids: dict[str, int] = {}
    seen_emails: dict[str, int] = {}
    seen_tokens: set[str] = set()
    for i, user in enumerate(doc.spec.users):
        doc.apply(("users", i, "accountId"), account_rules.validate_account_id, user.account_id)
        _, email, _ = doc.apply(("users", i), account_rules.validate_new_user, user.account_id, user.email, user.name)
        if user.account_id in seen_ids:
            raise doc.error(("users", i, "accountId"), f"accountId {user.account_id!r} is already used by "
                            f"users[{seen_ids[user.account_id]}]")
        if email in seen_emails:
            raise doc.error(("users", i, "email"),
                            f"email {user.email!r} is already used by users[{seen_emails[email]}]")
        seen_ids[user.account_id] = i
        seen_emails[email] = i
        if user.token is not None:
            doc.apply(("users", i, "token"), account_rules.validate_fixed_token, user.token)
            if user.token[:15] in seen_tokens:
                raise doc.error(("users", i, "token"), "another user's token has the same id (its first 10 characters)")
            seen_tokens.add(user.token[:15])


def check_spaces(doc: Document) -> dict[str, int]:
    """Valid keys and names, each key defined once, an admin for each; returns key -> index."""
    space_keys: dict[str, int] = {}
    for i, space in enumerate(doc.spec.spaces):
        doc.apply(("spaces", i, "key"), space_rules.validate_key, space.key)
        doc.apply(("spaces", i, "name"), space_rules.validate_name, space.name)
        if space.key in space_keys:
            raise doc.error(("spaces", i, "key"),
                            f"space {space.key!r} is already defined by spaces[{space_keys[space.key]}]")
        space_keys[space.key] = i
        if not space.admins:
            raise doc.error(("spaces", i, "admins"), "a space needs at least one admin (the first one creates it)")
    return space_keys


def check_content(doc: Document, space_keys: dict[str, int]) -> dict[str, int]:
    """Each item on its own, then the parents (defined, and no cycle); returns key -> index."""
    content_keys: dict[str, int] = {}
    for i, item in enumerate(doc.spec.content):
        _check_content_key(doc, ("content", i), item.key, content_keys, i)
        _check_content_item(doc, ("content", i), item, space_keys)
    for i, item in enumerate(doc.spec.content):
        if item.parent is not None and not item.parent.isdigit() and item.parent not in content_keys:
            raise doc.error(("content", i, "parent"), f"no content has the key {item.parent!r}")
    doc.content_order()
    return content_keys


def _check_content_key(doc: Document, where: Path, key: str | None, content_keys: dict[str, int], i: int) -> None:
    if key is None:
        return
    if not is_alias(key):
        raise doc.error(where + ("key",), "a content key is a name (a letter or '_' first, then letters, "
                        "digits, '_', '.' or '-'), not a number")
    if key in content_keys:
        raise doc.error(where + ("key",), f"content key {key!r} is already used by content[{content_keys[key]}]")
    content_keys[key] = i


def _check_content_item(doc: Document, where: Path, item: Content, space_keys: dict[str, int]) -> None:
    doc.apply(where + ("title",), content_rules.validate_title, item.title)
    for j, version in enumerate(item.versions):
        if isinstance(version, Version) and version.title is not None:
            doc.apply(where + ("versions", j, "title"), content_rules.validate_title, version.title)
    if item.status == "draft" and item.versions:
        raise doc.error(where + ("versions",), "a draft has one version; publish it (status: current) to add more")
    for j, label in enumerate(item.labels):
        doc.apply(where + ("labels", j), label_rules.validate, label)
    if item.author is None and item.space not in space_keys:
        raise doc.error(where, "author is required: the space is not defined in this file, so it has no "
                        "first admin to write it")
