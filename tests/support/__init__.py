"""Test support: Google's Firestore and Pub/Sub emulators, waiting helpers."""
