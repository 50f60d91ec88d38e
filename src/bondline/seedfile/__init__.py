"""Seed files: a declarative description of a bondline site (users with their tokens, spaces,
content with versions and labels, relations, watches, Reltio tenants with types, entities,
relations, change requests (awaiting review, applied or rejected) and direct edits), written in YAML or JSON.

This package reads and checks a file; `bondline.services.seeding` loads it through the ordinary
services, so every rule of the APIs applies. Checking happens before anything is written: the
document is parsed with the position of every node (`parsing`), converted to the schema
(`schema`, msgspec), and cross-checked (`checks`, `links`, `tenants`: unique keys, references
between items, formats). A problem is an `InvalidSeed` that names the file, the line and column,
the path inside the document and the reason:

    seed.yaml:14:12: users[1].email: Expected `str`, got `int`

Pure: no I/O (callers read the file and pass its text).
"""

from bondline.seedfile.document import Document, InvalidSeed, Path, render_path
from bondline.seedfile.parsing import MAX_DEPTH, check, from_data, parse
from bondline.seedfile.references import ALIAS, is_alias, parse_ref
from bondline.seedfile.schema import (
    CHANGE_KINDS,
    CHANGE_STATES,
    EDIT_KINDS,
    AttributeChange,
    ChangeItem,
    ChangeRequest,
    Content,
    Relation,
    ReltioEntity,
    ReltioRelation,
    SeedFile,
    Space,
    Tenant,
    User,
    Version,
    Watch,
)
from bondline.seedfile.tenants import MAX_CHANGE_ITEMS

__all__ = ["ALIAS", "CHANGE_KINDS", "CHANGE_STATES", "EDIT_KINDS", "MAX_CHANGE_ITEMS", "MAX_DEPTH", "AttributeChange",
           "ChangeItem", "ChangeRequest", "Content", "Document", "InvalidSeed", "Path", "Relation", "ReltioEntity",
           "ReltioRelation", "SeedFile", "Space", "Tenant", "User", "Version", "Watch", "check", "from_data",
           "is_alias", "parse", "parse_ref", "render_path"]
