"""The cloud topology for tests, benches and ``make cloud``: read from infra/, run on emulators."""
