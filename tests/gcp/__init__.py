"""Tests of the gcp backend: Firestore, Pub/Sub and Cloud KMS adapters against emulators."""
