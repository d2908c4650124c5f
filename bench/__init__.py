"""Benchmarks: each module prints Markdown figures with ratios against a baseline of the same run."""
