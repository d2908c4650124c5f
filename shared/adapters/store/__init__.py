"""Document stores: SQLite (embedded) and Firestore (cloud)."""
