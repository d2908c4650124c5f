"""Envelope encryption: local key file (embedded) and Cloud KMS (cloud)."""
