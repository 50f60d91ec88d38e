"""The domain: relations, watches, spaces and content, change requests, and who may do what.

Pure Python with no I/O. Services load facts through the store, hand them to the domain to decide,
and write back what it decided.
"""
