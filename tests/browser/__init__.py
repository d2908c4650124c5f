"""browser tests."""
