"""Domain model and rules: pure values, no I/O."""
