"""Repositories: the SQL for each aggregate, written once and run by every backend."""
