"""The fault-injection soak, in its quick mode."""
