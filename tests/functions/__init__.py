"""functions tests."""
