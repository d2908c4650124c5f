"""The use cases on SQLite with a synchronous bus and a fake calendar gateway."""
