"""Hardening tests: hostile clients, crashing machines, shredded data."""
