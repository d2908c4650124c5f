"""The local runtime: every function in one process, local bus, local scheduler."""
