"""Reltio use cases: tenants and their types, entities, relations, change requests, OAuth tokens.

Each use case opens one unit of work, loads the tenant context (its types and the caller's
permissions, `tenants.context`), asks the domain to decide, and commits.
"""
