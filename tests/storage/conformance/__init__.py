"""The storage conformance suite: one suite, run against every backend (SpiceDB's habit: one suite,
every datastore).

Each test opens a store on the root conftest's `database_url` (SQLite always, PostgreSQL when
BONDLINE_TEST_POSTGRES_URL is set), writes through the repositories of the typed unit of work
(`async with store.write(actor) as tx:`), and asserts what is stored afterwards, read back in a unit of
work of its own. A backend is conformant when this whole package passes on it: a new backend is added
to the `database_url` fixture, a new repository method gets a test here.
"""
