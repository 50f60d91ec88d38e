"""Cross-checks of the Confluence links between items: relations and watches."""

from __future__ import annotations

from bondline.domain import labels as label_rules
from bondline.domain import relations as rel
from bondline.seedfile.document import Document, Path
from bondline.seedfile.references import check_content_ref, parse_ref
from bondline.seedfile.schema import Relation


def check_relations(doc: Document, content_keys: dict[str, int]) -> None:
    site_admins = [u.account_id for u in doc.spec.users if u.site_admin]
    for i, relation in enumerate(doc.spec.relations):
        _check_relation(doc, ("relations", i), relation, content_keys, bool(site_admins))


def _check_relation(doc: Document, where: Path, relation: Relation, content_keys: dict[str, int],
                    has_site_admin: bool) -> None:
    doc.apply(where + ("name",), rel.validate_name, relation.name)
    source = _check_end(doc, where, "source", relation.source, relation.source_version, content_keys)
    target = _check_end(doc, where, "target", relation.target, relation.target_version, content_keys)
    doc.apply(where, rel.validate_shape, relation.name, source, target)
    if relation.by is None and source != "user" and not has_site_admin:
        raise doc.error(where, "by is required: who creates this relation (the file has no site admin to "
                        "do it)")


def _check_end(doc: Document, where: Path, side: str, text: str, version: int | None,
               content_keys: dict[str, int]) -> str:
    """One end of a relation (TYPE:KEY, and a version for content); returns its type."""
    parsed = parse_ref(text)
    if parsed is None or parsed[0] not in rel.ENTITY_TYPES:
        raise doc.error(where + (side,), f"write the {side} as TYPE:KEY with TYPE user, space or content "
                        "(user:ACCOUNT_ID, space:KEY, content:KEY)")
    kind, key = parsed
    if kind == "user" and key == "current":
        raise doc.error(where + (side,), "name the user by accountId ('current' means nobody in a seed)")
    if kind == "content":
        check_content_ref(doc, where + (side,), key, content_keys)
    if version is not None and kind != "content":
        raise doc.error(where + (f"{side}Version",), f"{side}Version only applies to content")
    if version is not None and version < 1:
        raise doc.error(where + (f"{side}Version",), "versions start at 1")
    return kind


def check_watches(doc: Document, content_keys: dict[str, int]) -> None:
    for i, watch in enumerate(doc.spec.watches):
        where = ("watches", i)
        given = [name for name in ("content", "space", "label") if getattr(watch, name) is not None]
        if len(given) != 1:
            raise doc.error(where, "a watch names exactly one of content, space or label")
        if watch.content_type is not None and given[0] != "space":
            raise doc.error(where + ("contentType",), "contentType only applies to a space watch")
        if watch.content is not None:
            check_content_ref(doc, where + ("content",), watch.content, content_keys)
        if watch.label is not None:
            doc.apply(where + ("label",), label_rules.validate, watch.label)
