"""The cloud tier: every function in its own functions-framework process on Google's emulators."""
