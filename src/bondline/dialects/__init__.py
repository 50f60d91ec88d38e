"""Wire dialects: each public API bondline speaks is one package of thin routes.

- `confluence`: Confluence Cloud REST API v1 under ``/wiki/rest/api``;
- `confluence_v2`: Confluence Cloud REST API v2 under ``/wiki/api/v2``, over the same services;
- `reltio`: Reltio's tenant data API under ``/reltio/api/{tenant}`` and ``/services/reltio/api/{tenant}``,
  and its OAuth token endpoint ``/oauth/token``;
- `native`: bondline's own API (health, OpenAPI, extensions) under ``/api/v1`` and the root.

Each has ``install(app)``; `bondline.bootstrap` installs them, and the review inbox (`bondline.ui`,
pages under ``/ui``) beside them.
"""
