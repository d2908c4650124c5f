"""Provisioning tests: activation states and reasons, isolation between orgs, the admin CLI."""
