"""The schema, as SQLAlchemy Core tables. Alembic migrations create exactly this on every backend
(a test compares the two), and the repositories build their statements from it.

Conventions that keep one schema portable between SQLite and PostgreSQL:
- times are epoch milliseconds in BIGINT columns (Reltio speaks them; Confluence renders ISO);
- JSON documents are TEXT encoded by msgspec, so both drivers return plain strings;
- surrogate ids are BIGINT identities; the ids users see (account ids, space keys, Reltio ids)
  are unique strings beside them.
"""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

# Tables one backend has that this metadata does not declare (migration 0019): CQL's full-text index,
# an FTS5 virtual table (with its shadow tables, `content_fts_*`) on SQLite, a table with a tsvector
# column on PostgreSQL. The schema check (tests/storage/test_store_schema.py) leaves them out.
BACKEND_OWN = ("content_fts",)

# BIGINT on PostgreSQL, INTEGER on SQLite (where only INTEGER PRIMARY KEY is the rowid alias).
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("account_id", sa.String(128), nullable=False, unique=True),
    sa.Column("email", sa.String(255), nullable=False, unique=True),
    sa.Column("display_name", sa.String(255), nullable=False),
    sa.Column("site_admin", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", sa.String(16), primary_key=True),
    sa.Column("user_id", BigId, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("secret_hash", sa.String(64), nullable=False),
    sa.Column("name", sa.String(255), nullable=True),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("expires_at", sa.BigInteger, nullable=True),
    sa.Column("revoked_at", sa.BigInteger, nullable=True),
    # "api" (created by an operator), "oauth_access" or "oauth_refresh" (issued by /oauth/token);
    # refresh tokens are never accepted as bearer credentials.
    sa.Column("kind", sa.String(16), nullable=False, server_default="api"),
    # The API token an OAuth token was minted from (None for an API token): it dies with its parent.
    sa.Column("parent_id", sa.String(16), sa.ForeignKey("api_tokens.id", ondelete="CASCADE"), nullable=True,
              index=True),
)

spaces = sa.Table(
    "spaces",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(255), nullable=False, unique=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("description", sa.Text, nullable=False, default=""),
    sa.Column("type", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("private", sa.Boolean, nullable=False, default=False),
    sa.Column("created_by", BigId, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    sa.Column("created_at", sa.BigInteger, nullable=False),
)

space_roles = sa.Table(
    "space_roles",
    metadata,
    sa.Column("space_id", BigId, sa.ForeignKey("spaces.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", BigId, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
    sa.Column("role", sa.String(16), nullable=False),
)

content = sa.Table(
    "content",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("type", sa.String(16), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("space_id", BigId, sa.ForeignKey("spaces.id", ondelete="CASCADE"), nullable=False),
    sa.Column("parent_id", BigId, sa.ForeignKey("content.id", ondelete="SET NULL"), nullable=True),
    sa.Column("title", sa.String(255), nullable=False),
    sa.Column("body", sa.Text, nullable=False, default=""),
    sa.Column("representation", sa.String(32), nullable=False, default="storage"),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("version_message", sa.Text, nullable=False, default=""),
    sa.Column("minor_edit", sa.Boolean, nullable=False, default=False),
    sa.Column("created_by", BigId, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("updated_by", BigId, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    sa.Column("updated_at", sa.BigInteger, nullable=False),
    # Order among its siblings (the children of its parent, or a space's top-level pages): new
    # content goes last, moves renumber the siblings (migration 0014).
    sa.Column("position", sa.Integer, nullable=False, server_default="0"),
    # Whether any read restriction governs it (it has rows in `read_guards`), and whether its own
    # update is restricted (migration 0018): kept with those rows, so that deciding about the many
    # pieces of content no restriction touches reads two columns, not the restriction tables
    # (decision 0018). True is always safe (the restriction tables decide); false is a promise.
    sa.Column("read_guarded", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("update_restricted", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Index(None, "space_id", "type", "status", "id"),
    # Children by parent with their ids (migration 0019): the steps of a subtree walk (CQL's
    # `ancestor`, descendants) read only the index, on PostgreSQL too (SQLite's indexes hold the id).
    sa.Index(None, "parent_id", "id"),
)

# Each space's home page (migration 0014): created with the space; gone with it or with the page.
# A table of its own, not a column of `spaces`, so spaces and content do not point at each other.
space_homepages = sa.Table(
    "space_homepages",
    metadata,
    sa.Column("space_id", BigId, sa.ForeignKey("spaces.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("content_id", BigId, sa.ForeignKey("content.id", ondelete="CASCADE"), nullable=False, unique=True),
)

content_versions = sa.Table(
    "content_versions",
    metadata,
    sa.Column("content_id", BigId, sa.ForeignKey("content.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("number", sa.Integer, primary_key=True),
    sa.Column("title", sa.String(255), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("representation", sa.String(32), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("message", sa.Text, nullable=False, default=""),
    sa.Column("minor_edit", sa.Boolean, nullable=False, default=False),
    sa.Column("by", BigId, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    sa.Column("at", sa.BigInteger, nullable=False),
)

# Who a piece of content's current body mentions (migration 0019): the account ids of its
# `<ri:user ri:account-id="…"/>` references, written by ContentRepo with every new body; CQL's
# `mention` reads it by account id.
content_mentions = sa.Table(
    "content_mentions",
    metadata,
    sa.Column("content_id", BigId, sa.ForeignKey("content.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("account_id", sa.String(128), primary_key=True),
    sa.Index("ix_content_mentions_account_id", "account_id", "content_id"),
)

# Attachments (migration 0016): content of type "attachment" (a `content` row, with its versions in
# `content_versions`) held by a page or blog post, its container. Each version's data is a blob in
# the blob store (store/blobs.py), named by its SHA-256; the row keeps the checksum and the size.
attachments = sa.Table(
    "attachments",
    metadata,
    sa.Column("content_id", BigId, sa.ForeignKey("content.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("container_id", BigId, sa.ForeignKey("content.id", ondelete="CASCADE"), nullable=False, index=True),
)

attachment_versions = sa.Table(
    "attachment_versions",
    metadata,
    sa.Column("content_id", BigId, sa.ForeignKey("content.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("number", sa.Integer, primary_key=True),
    sa.Column("media_type", sa.String(255), nullable=False),
    sa.Column("file_size", sa.BigInteger, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False, index=True),  # the blob's name (and what it is checked against)
    sa.Column("comment", sa.Text, nullable=False, default=""),
)

# Comments (migration 0017): content of type "comment" (a `content` row with its versions) on a page
# or blog post, its container; a reply names the comment it answers (`parent_id`). Footer or inline;
# an inline comment keeps the properties Confluence gives it (JSON) and its resolution status.
comments = sa.Table(
    "comments",
    metadata,
    sa.Column("content_id", BigId, sa.ForeignKey("content.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("container_id", BigId, sa.ForeignKey("content.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("parent_id", BigId, sa.ForeignKey("content.id", ondelete="CASCADE"), nullable=True, index=True),
    sa.Column("location", sa.String(16), nullable=False),
    sa.Column("inline_properties", sa.Text, nullable=True),
    sa.Column("resolution", sa.String(16), nullable=True),
    # who last resolved or reopened an inline comment, and when (None until someone has)
    sa.Column("resolved_by", BigId, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    sa.Column("resolved_at", sa.BigInteger, nullable=True),
)

# Long-running tasks (Confluence answers space deletion with a task to poll).
long_tasks = sa.Table(
    "long_tasks",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("args", sa.Text, nullable=False),
    sa.Column("user_id", BigId, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=True),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("finished_at", sa.BigInteger, nullable=True),
    sa.Column("successful", sa.Boolean, nullable=False),
)

# Typed relations: favourites, likes, watches, app-defined relations, and (namespaced per tenant)
# Reltio relations. One row per (namespace, name, source, target). `source_scope`/`target_scope`
# are the spaces whose permissions govern who may see each end (NULL: everyone), used to filter
# listings. Indexes are kept to what reads need, since each one costs every insert: the unique key,
# one per direction for newest-first listings (which also find everything touching an entity, for
# purges), and Reltio's own ids (a partial index: Confluence rows leave it empty).
relations = sa.Table(
    "relations",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("namespace", sa.String(64), nullable=False),
    sa.Column("name", sa.String(64), nullable=False),
    sa.Column("source_type", sa.String(32), nullable=False),
    sa.Column("source_key", sa.String(255), nullable=False),
    sa.Column("target_type", sa.String(32), nullable=False),
    sa.Column("target_key", sa.String(255), nullable=False),
    sa.Column("source_scope", BigId, nullable=True),
    sa.Column("target_scope", BigId, nullable=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("created_by", sa.String(128), nullable=False),
    sa.Column("updated_at", sa.BigInteger, nullable=False),
    sa.Column("updated_by", sa.String(128), nullable=False),
    # Reltio relations: their own id (`relations/{ext_id}`) and document (attributes, crosswalks, flags).
    sa.Column("ext_id", sa.String(16), nullable=True),
    sa.Column("payload", sa.Text, nullable=True),
    sa.UniqueConstraint("namespace", "name", "source_type", "source_key", "target_type", "target_key",
                        name="uq_relations_key"),
    # targets of a source, newest first (and every relation from an entity, for purging it)
    sa.Index("ix_relations_forward", "namespace", "source_type", "source_key", "name", "target_type", "id"),
    # sources of a target, newest first (and every relation to an entity)
    sa.Index("ix_relations_reverse", "namespace", "target_type", "target_key", "name", "source_type", "id"),
    sa.Index("uq_relations_ext_id", "namespace", "ext_id", unique=True,
             sqlite_where=sa.text("ext_id IS NOT NULL"), postgresql_where=sa.text("ext_id IS NOT NULL")),
)

# Labels: one row per distinct (prefix, name); content carries them through content_labels.
# A label "exists" (can be watched) while any content carries it.
labels = sa.Table(
    "labels",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("prefix", sa.String(16), nullable=False),
    sa.Column("name", sa.String(255), nullable=False),
    sa.UniqueConstraint("name", "prefix", name="uq_labels_name_prefix"),
)

content_labels = sa.Table(
    "content_labels",
    metadata,
    sa.Column("content_id", BigId, sa.ForeignKey("content.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("label_id", BigId, sa.ForeignKey("labels.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("created_by", BigId, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    sa.Index("ix_content_labels_label_id", "label_id"),
)

# Labels put on a space itself (POST /space/{key}/label; Confluence's `team` labels are space categories).
space_labels = sa.Table(
    "space_labels",
    metadata,
    sa.Column("space_id", BigId, sa.ForeignKey("spaces.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("label_id", BigId, sa.ForeignKey("labels.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("created_by", BigId, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    sa.Index("ix_space_labels_label_id", "label_id"),
)

# Groups of users (Confluence's /group API); restrictions name them. Ids are UUIDs, as in Cloud.
groups = sa.Table(
    "groups",
    metadata,
    sa.Column("id", sa.String(36), primary_key=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.UniqueConstraint("name", name="uq_groups_name"),
)

group_members = sa.Table(
    "group_members",
    metadata,
    sa.Column("group_id", sa.String(36), sa.ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", BigId, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Index("ix_group_members_user_id", "user_id"),
)

# Content restrictions (migration 0018): who a page's or blog post's `read` and `update` operations
# are restricted to, by user and by group. No rows for an operation: it is not restricted.
content_restriction_users = sa.Table(
    "content_restriction_users",
    metadata,
    sa.Column("content_id", BigId, sa.ForeignKey("content.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("operation", sa.String(16), primary_key=True),
    sa.Column("user_id", BigId, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_content_restriction_users_user_id", "user_id"),
)

content_restriction_groups = sa.Table(
    "content_restriction_groups",
    metadata,
    sa.Column("content_id", BigId, sa.ForeignKey("content.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("operation", sa.String(16), primary_key=True),
    sa.Column("group_id", sa.String(36), sa.ForeignKey("groups.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_content_restriction_groups_group_id", "group_id"),
)

# Which read restrictions govern each piece of content (migration 0018): a row (content, guard) for
# every page at or above it (its container's, for a comment or an attachment) whose `read` is
# restricted. Read restrictions are inherited down the tree; this table is that inheritance kept
# ready, so deciding whether a viewer may read something, alone or in a listing, never walks the tree
# (decision 0018). Kept by the use cases that restrict, create, move and copy content.
read_guards = sa.Table(
    "read_guards",
    metadata,
    sa.Column("content_id", BigId, sa.ForeignKey("content.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("guard_id", BigId, sa.ForeignKey("content.id", ondelete="CASCADE"), primary_key=True),
    sa.Index("ix_read_guards_guard_id", "guard_id"),
)

# Properties (migration 0015): JSON values by key on a piece of content or on a space, each with
# the version of its last write (an update must name the next one: optimistic, in the UPDATE itself).
content_properties = sa.Table(
    "content_properties",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("content_id", BigId, sa.ForeignKey("content.id", ondelete="CASCADE"), nullable=False),
    sa.Column("key", sa.String(255), nullable=False),
    sa.Column("value", sa.Text, nullable=False),  # JSON
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("minor_edit", sa.Boolean, nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("updated_by", BigId, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    sa.Column("updated_at", sa.BigInteger, nullable=False),
    sa.UniqueConstraint("content_id", "key"),  # also what a content's properties are listed by
)

space_properties = sa.Table(
    "space_properties",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("space_id", BigId, sa.ForeignKey("spaces.id", ondelete="CASCADE"), nullable=False),
    sa.Column("key", sa.String(255), nullable=False),
    sa.Column("value", sa.Text, nullable=False),  # JSON
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("minor_edit", sa.Boolean, nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("updated_by", BigId, sa.ForeignKey("users.id", ondelete="SET NULL"), nullable=True),
    sa.Column("updated_at", sa.BigInteger, nullable=False),
    sa.UniqueConstraint("space_id", "key"),
)

# --- Reltio tenants -------------------------------------------------------------------------------
# Relations of a tenant live in `relations` above (namespace "reltio/{tenant}", name = relation type,
# source/target = start/end entity ids). Documents are JSON text; `version` counts changes and is
# what change request items are checked against.

tenants = sa.Table(
    "tenants",
    metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    # A new random value whenever the tenant's types are replaced (workers cache them by it).
    sa.Column("types_version", sa.BigInteger, nullable=False, server_default="0"),
)

tenant_roles = sa.Table(
    "tenant_roles",
    metadata,
    sa.Column("tenant_id", sa.String(64), sa.ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("user_id", BigId, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("role", sa.String(32), primary_key=True),
    sa.Index("ix_tenant_roles_user", "user_id"),
)

tenant_types = sa.Table(
    "tenant_types",
    metadata,
    sa.Column("tenant_id", sa.String(64), sa.ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("kind", sa.String(16), primary_key=True),  # "entity" | "relation"
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("definition", sa.Text, nullable=False),
)

entities = sa.Table(
    "entities",
    metadata,
    sa.Column("tenant_id", sa.String(64), sa.ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("id", sa.String(16), primary_key=True),
    sa.Column("type", sa.String(64), nullable=False),
    sa.Column("attributes", sa.Text, nullable=False),
    sa.Column("crosswalks", sa.Text, nullable=False),
    sa.Column("tags", sa.Text, nullable=False),
    sa.Column("roles", sa.Text, nullable=False),
    sa.Column("label", sa.Text, nullable=False),
    sa.Column("secondary_label", sa.Text, nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("created_by", sa.String(255), nullable=False),
    sa.Column("updated_at", sa.BigInteger, nullable=False),
    sa.Column("updated_by", sa.String(255), nullable=False),
)

# Interactions (migration 0022) and their members: which entity takes part under which member type.
# A member row repeats the interaction's timestamp, so an entity's interactions are read newest
# first from one index.
reltio_interactions = sa.Table(
    "reltio_interactions",
    metadata,
    sa.Column("tenant_id", sa.String(64), sa.ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("id", sa.String(16), primary_key=True),
    sa.Column("type", sa.String(64), nullable=False),
    sa.Column("timestamp", sa.BigInteger, nullable=False),
    sa.Column("attributes", sa.Text, nullable=False),
    sa.Column("members", sa.Text, nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("created_by", sa.String(255), nullable=False),
)

reltio_interaction_members = sa.Table(
    "reltio_interaction_members",
    metadata,
    sa.Column("tenant_id", sa.String(64), primary_key=True),
    sa.Column("entity_id", sa.String(16), primary_key=True),
    sa.Column("interaction_id", sa.String(16), primary_key=True),
    sa.Column("timestamp", sa.BigInteger, nullable=False),
    sa.ForeignKeyConstraint(["tenant_id", "interaction_id"],
                            ["reltio_interactions.tenant_id", "reltio_interactions.id"],
                            ondelete="CASCADE", name="fk_reltio_interaction_members_interaction"),
    sa.Index("ix_reltio_interaction_members_entity", "tenant_id", "entity_id", "timestamp"),
)

# Merges (migration 0024): the loser of each merge, the entity it went into, and what it was then
# (its document and relations, for unmerge); and the pairs marked "not a match" (both directions).
reltio_merges = sa.Table(
    "reltio_merges",
    metadata,
    sa.Column("tenant_id", sa.String(64), sa.ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("loser_id", sa.String(16), primary_key=True),
    sa.Column("winner_id", sa.String(16), nullable=False),
    sa.Column("snapshot", sa.Text, nullable=False),
    sa.Column("merged_at", sa.BigInteger, nullable=False),
    sa.Column("merged_by", sa.String(255), nullable=False),
    sa.Index("ix_reltio_merges_winner", "tenant_id", "winner_id"),
)

reltio_not_matches = sa.Table(
    "reltio_not_matches",
    metadata,
    sa.Column("tenant_id", sa.String(64), sa.ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("entity_id", sa.String(16), primary_key=True),
    sa.Column("other_id", sa.String(16), primary_key=True),
    sa.Column("updated_at", sa.BigInteger, nullable=False),
    sa.Column("updated_by", sa.String(255), nullable=False),
)

# Which entity holds a crosswalk (source type, value): POST /entities merges into it, relations name
# their start and end by it.
entity_crosswalks = sa.Table(
    "entity_crosswalks",
    metadata,
    sa.Column("tenant_id", sa.String(64), primary_key=True),
    sa.Column("type", sa.String(255), primary_key=True),
    sa.Column("value", sa.String(255), primary_key=True),
    sa.Column("entity_id", sa.String(16), nullable=False),
    sa.ForeignKeyConstraint(["tenant_id", "entity_id"], ["entities.tenant_id", "entities.id"], ondelete="CASCADE",
                            name="fk_entity_crosswalks_entity"),
    sa.Index("ix_entity_crosswalks_entity", "tenant_id", "entity_id"),
)

# What Reltio's entity search finds an entity by (docs/decisions/0022-reltio-search.md): one row per
# attribute value (nested values by their path, "Address.City"), tag, label and crosswalk, written by
# EntityRepo with every entity write (`domain.reltio.filters.index_rows`). `lvalue` is the value's
# first 256 characters lower-cased, in the C collation on PostgreSQL so that `LIKE 'prefix%'` (and
# the byte order of `<`, `>`) use the index; `words` the value's words between spaces (" john smith ").
SearchText = sa.String(256).with_variant(sa.String(256, collation="C"), "postgresql")
entity_values = sa.Table(
    "entity_values",
    metadata,
    sa.Column("tenant_id", sa.String(64), primary_key=True),
    sa.Column("entity_id", sa.String(16), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("path", sa.String(255), nullable=False),
    sa.Column("grp", sa.String(16), nullable=False),
    sa.Column("value", sa.String(256), nullable=False),
    sa.Column("lvalue", SearchText, nullable=False),
    sa.Column("words", sa.Text, nullable=False),
    sa.Column("num", sa.Float, nullable=True),
    sa.Column("ov", sa.Boolean, nullable=False),
    sa.ForeignKeyConstraint(["tenant_id", "entity_id"], ["entities.tenant_id", "entities.id"], ondelete="CASCADE",
                            name="fk_entity_values_entity"),
    # equals / in / startsWith / ranges on text: (tenant, path, value) -> entity
    sa.Index("ix_entity_values_text", "tenant_id", "path", "lvalue", "entity_id"),
    # lt / gt / range on numbers
    sa.Index("ix_entity_values_num", "tenant_id", "path", "num", "entity_id"),
)

# What Reltio's relation search finds a relation by (docs/decisions/0023-reltio-graph.md): one row per
# attribute value of every Reltio relation (`domain.reltio.filters.relation_rows`), keyed by the
# relation's own id (`relations.ext_id`, unique within the tenant's namespace), written by
# ReltioRelationRepo with every relation write. The columns mean what they mean in `entity_values`.
relation_values = sa.Table(
    "relation_values",
    metadata,
    sa.Column("tenant_id", sa.String(64), sa.ForeignKey("tenants.id", ondelete="CASCADE",
                                                        name="fk_relation_values_tenant"), primary_key=True),
    sa.Column("relation_id", sa.String(16), primary_key=True),
    sa.Column("position", sa.Integer, primary_key=True),
    sa.Column("path", sa.String(255), nullable=False),
    sa.Column("grp", sa.String(16), nullable=False),
    sa.Column("value", sa.String(256), nullable=False),
    sa.Column("lvalue", SearchText, nullable=False),
    sa.Column("words", sa.Text, nullable=False),
    sa.Column("num", sa.Float, nullable=True),
    sa.Column("ov", sa.Boolean, nullable=False),
    # equals / in / startsWith / ranges on text: (tenant, path, value) -> relation
    sa.Index("ix_relation_values_text", "tenant_id", "path", "lvalue", "relation_id"),
    # lt / gt / range on numbers
    sa.Index("ix_relation_values_num", "tenant_id", "path", "num", "relation_id"),
)

change_requests = sa.Table(
    "change_requests",
    metadata,
    sa.Column("tenant_id", sa.String(64), sa.ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("id", sa.String(16), primary_key=True),
    sa.Column("state", sa.String(32), nullable=False),
    sa.Column("type", sa.String(255), nullable=False),
    sa.Column("external_info", sa.Text, nullable=True),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("created_by", sa.String(255), nullable=False),
    sa.Column("updated_at", sa.BigInteger, nullable=False),
    sa.Column("updated_by", sa.String(255), nullable=False),
    # Neither secondary index starts with tenant_id, the first column of the key: PostgreSQL plans
    # the foreign key check of change_items once per connection, and on a new (empty) table an index
    # on (tenant_id, ...) looks as good as the key, a choice that then scans a whole tenant's
    # requests on every item insert (migration 0009).
    sa.Index("ix_change_requests_creator", "created_by", "tenant_id"),
    sa.Index("ix_change_requests_state", "state", "tenant_id"),
)

change_items = sa.Table(
    "change_items",
    metadata,
    sa.Column("tenant_id", sa.String(64), primary_key=True),
    sa.Column("request_id", sa.String(16), nullable=False),
    sa.Column("id", sa.String(16), primary_key=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("object_uri", sa.String(64), nullable=False),
    sa.Column("type", sa.String(32), nullable=False),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("base_version", sa.Integer, nullable=True),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("created_by", sa.String(255), nullable=False),
    sa.ForeignKeyConstraint(["tenant_id", "request_id"], ["change_requests.tenant_id", "change_requests.id"],
                            ondelete="CASCADE", name="fk_change_items_request"),
    sa.Index("ix_change_items_request", "tenant_id", "request_id", "position"),
    sa.Index("ix_change_items_object", "tenant_id", "object_uri"),
)

# Secrets the server generates once and every worker shares (services/secrets.py): random, created
# on first use. (Until migration 0011, `ui_session` here signed the review inbox's cookies.)
server_secrets = sa.Table(
    "server_secrets",
    metadata,
    sa.Column("name", sa.String(64), primary_key=True),
    sa.Column("value", sa.String(128), nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
)

# The review inbox's signed-in sessions (migration 0011). The cookie carries a random secret; only
# its SHA-256 is kept here, so a copy of the database (a backup) cannot make a cookie. Signing out
# deletes the row; the session also ends with its token (revoked, expired, deleted with its user).
ui_sessions = sa.Table(
    "ui_sessions",
    metadata,
    sa.Column("id_hash", sa.String(64), primary_key=True),
    sa.Column("token_id", sa.String(16), sa.ForeignKey("api_tokens.id", ondelete="CASCADE"), nullable=False,
              index=True),
    sa.Column("user_id", BigId, sa.ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("expires_at", sa.BigInteger, nullable=False, index=True),  # expired rows are swept by it
)


# The audit trail: append-only (triggers refuse UPDATE and DELETE), written in the transaction of
# the change it records. Looked up by actor or by object, newest first.
audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("at", sa.BigInteger, nullable=False),
    sa.Column("actor", sa.String(128), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("object", sa.String(512), nullable=False),
    sa.Column("before", sa.Text, nullable=True),
    sa.Column("after", sa.Text, nullable=True),
    sa.Column("request_id", sa.String(64), nullable=True),
    sa.Index("ix_audit_log_actor", "actor", "id"),
    sa.Index("ix_audit_log_object", "object", "id"),
)

# Webhooks (migration 0007): endpoints that receive events, the outbox of events (written in the
# transaction of the change they describe) and one delivery per (event, webhook), which dispatchers
# lease, attempt, retry with backoff and mark delivered or dead.
webhooks = sa.Table(
    "webhooks",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("url", sa.String(2048), nullable=False),
    sa.Column("events", sa.Text, nullable=False),  # JSON list of event types or patterns ("content.*", "*")
    # A shared secret that signs deliveries (HMAC-SHA256): kept as given, since signing needs it.
    sa.Column("secret", sa.String(255), nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("created_by", sa.String(128), nullable=False),
)

outbox_events = sa.Table(
    "outbox_events",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("type", sa.String(64), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
)

webhook_deliveries = sa.Table(
    "webhook_deliveries",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("event_id", BigId, sa.ForeignKey("outbox_events.id", ondelete="CASCADE"), nullable=False,
              index=True),
    sa.Column("webhook_id", BigId, sa.ForeignKey("webhooks.id", ondelete="CASCADE"), nullable=False),
    sa.Column("status", sa.String(16), nullable=False),  # pending | delivered | dead
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("next_attempt_at", sa.BigInteger, nullable=False),
    sa.Column("last_attempt_at", sa.BigInteger, nullable=True),
    sa.Column("last_status", sa.Integer, nullable=True),
    sa.Column("last_error", sa.String(512), nullable=True),
    sa.Column("lease_owner", sa.String(64), nullable=True),
    sa.Column("lease_expires_at", sa.BigInteger, nullable=True),
    sa.Column("delivered_at", sa.BigInteger, nullable=True),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    # what dispatchers look for: pending deliveries that are due
    sa.Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
    # a webhook's deliveries, newest first
    sa.Index("ix_webhook_deliveries_webhook", "webhook_id", "id"),
)

# Reltio's workflow (migration 0023): DCR review process instances, their objects (so tasks and
# processes are found by object URI), their tasks and their comments.
reltio_wf_processes = sa.Table(
    "reltio_wf_processes",
    metadata,
    sa.Column("tenant_id", sa.String(64), sa.ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True),
    sa.Column("id", sa.String(16), primary_key=True),
    sa.Column("process_type", sa.String(64), nullable=False),
    sa.Column("object_uris", sa.Text, nullable=False),
    sa.Column("change_request_id", sa.String(16), nullable=True),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("created_by", sa.String(255), nullable=False),
    sa.Column("ended_at", sa.BigInteger, nullable=True),
    # Not starting with tenant_id (the key's first column): PostgreSQL's foreign key checks from the
    # tasks, objects and comments would otherwise risk a plan on it (see change_requests).
    sa.Index("ix_reltio_wf_processes_request", "change_request_id", "tenant_id"),
)

reltio_wf_objects = sa.Table(
    "reltio_wf_objects",
    metadata,
    sa.Column("tenant_id", sa.String(64), primary_key=True),
    sa.Column("uri", sa.String(255), primary_key=True),
    sa.Column("process_id", sa.String(16), primary_key=True),
    sa.ForeignKeyConstraint(["tenant_id", "process_id"], ["reltio_wf_processes.tenant_id", "reltio_wf_processes.id"],
                            ondelete="CASCADE", name="fk_reltio_wf_objects_process"),
)

reltio_wf_tasks = sa.Table(
    "reltio_wf_tasks",
    metadata,
    sa.Column("tenant_id", sa.String(64), primary_key=True),
    sa.Column("id", sa.String(16), primary_key=True),
    sa.Column("process_id", sa.String(16), nullable=False),
    sa.Column("process_type", sa.String(64), nullable=False),
    sa.Column("task_type", sa.String(64), nullable=False),
    sa.Column("object_uris", sa.Text, nullable=False),
    sa.Column("assignee", sa.String(255), nullable=True),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("created_by", sa.String(255), nullable=False),
    sa.Column("due_at", sa.BigInteger, nullable=False),
    sa.Column("action", sa.String(32), nullable=True),
    sa.Column("closed_at", sa.BigInteger, nullable=True),
    sa.Column("closed_by", sa.String(255), nullable=True),
    sa.ForeignKeyConstraint(["tenant_id", "process_id"], ["reltio_wf_processes.tenant_id", "reltio_wf_processes.id"],
                            ondelete="CASCADE", name="fk_reltio_wf_tasks_process"),
    sa.Index("ix_reltio_wf_tasks_state", "tenant_id", "state", "created_at"),
    sa.Index("ix_reltio_wf_tasks_process", "tenant_id", "process_id"),
)

reltio_wf_comments = sa.Table(
    "reltio_wf_comments",
    metadata,
    sa.Column("tenant_id", sa.String(64), primary_key=True),
    sa.Column("id", sa.String(16), primary_key=True),
    sa.Column("process_id", sa.String(16), nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("author", sa.String(255), nullable=False),
    sa.Column("time", sa.BigInteger, nullable=False),
    sa.ForeignKeyConstraint(["tenant_id", "process_id"], ["reltio_wf_processes.tenant_id", "reltio_wf_processes.id"],
                            ondelete="CASCADE", name="fk_reltio_wf_comments_process"),
    sa.Index("ix_reltio_wf_comments_process", "tenant_id", "process_id", "time"),
)
