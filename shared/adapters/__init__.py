"""Adapters: the edge where ports meet Google, storage, buses and keys."""
