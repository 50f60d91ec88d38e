"""Use cases: each loads facts through the store, lets the domain decide (with the caller), and
commits what it decided in one transaction. Wire dialects and the CLI call these; nothing else
touches the store."""
