"""Conferencing providers behind the ConferencingProvider port."""
