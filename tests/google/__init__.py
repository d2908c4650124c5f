"""Tests of the Google API client layer against the emulator."""
