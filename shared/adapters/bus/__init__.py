"""Message buses: in-process (embedded) and Pub/Sub (cloud)."""
