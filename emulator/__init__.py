"""A local Google Workspace emulator: Calendar v3, Gmail vacation settings, OAuth2 and push.

It speaks Google's wire format (paths, parameters, JSON field names, error bodies) as the
discovery documents shipped with ``google-api-python-client`` describe it, and adds a control
plane under ``/emulator/v1`` for tests and the demo. Entry points:

- :func:`emulator.app.create_app` builds the Flask app (optionally around an existing state);
- :func:`emulator.server.serve` and :class:`emulator.server.EmulatorServer` serve it over HTTP;
- :func:`emulator.testing.transport` mounts it in-process for ``httpx``;
- :class:`emulator.client.ControlClient` wraps the control plane.
"""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
