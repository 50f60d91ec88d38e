"""Wire dialects: each public API bondline speaks is one package of thin routes.

- `confluence`: Confluence Cloud REST API v1 under ``/wiki/rest/api``;
- `reltio`: Reltio's tenant data API under ``/reltio/api/{tenant}`` and ``/services/reltio/api/{tenant}``,
  and its OAuth token endpoint ``/oauth/token``;
- `native`: bondline's own API (health, OpenAPI, extensions) under ``/api/v1`` and the root.

The review inbox (`bondline.ui`, pages under ``/ui``) is installed beside them.
"""

from __future__ import annotations

from typing import Any


def install_all(app: Any) -> None:
    from bondline import ui
    from bondline.dialects import confluence, native, reltio

    native.install(app)
    confluence.install(app)
    reltio.install(app)
    ui.install(app)
