"""bondline: typed relations between users, spaces, content and entities, and governed change.

It speaks the Confluence Cloud relation and watch APIs and Reltio's relations with data change
requests on the wire, over one storage engine (SQLite by default, PostgreSQL for scale-out).
"""

__version__ = "0.1.0"
