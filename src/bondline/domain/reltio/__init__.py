"""Reltio's tenant data model, pure: entity and relation types (`types`), the documents of entities
and relations with their attribute values, labels and crosswalks (`objects`), data change request
items and how they apply (`changes`), and tenant roles (`roles`).

Nothing here does I/O. Services load a tenant's types and objects through the store, call these
functions, and store what they return.
"""
