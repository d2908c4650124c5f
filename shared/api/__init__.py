"""HTTP APIs: routing, request models and JSON answers for the admin and app APIs."""
