"""The gcp backend's cold-start floor: a functions-framework function that reads one Firestore document.

Every function's first answer on the gcp backend reads the store (a channel, an org, a lease),
so any of them pays at least this: importing Google's Firestore client (and with it gRPC and
google-auth), making the client on first use (it honours ``FIRESTORE_EMULATOR_HOST``) and one
document read. Its ratio to ``bench/_trivial_function.py`` is what the backend itself costs an
instance before any of our code runs. The client is imported with the cyclic collector off, as
the functions import it (``shared/collector.py``): the collections that import would trigger
free nothing, and a floor should not pay for them.
"""

from __future__ import annotations

import gc
import os
from functools import cache
from typing import Any

import flask
import functions_framework


@cache
def _client() -> Any:
    gc.disable()
    try:
        from google.cloud import firestore
    finally:
        gc.enable()
    return firestore.Client(project=os.environ.get("HYBRIDCAL_GCP_PROJECT") or "floor")


@functions_framework.http
def trivial_gcp(request: flask.Request) -> flask.Response:
    """Read one (absent) document named by a header and answer 200 with a small JSON body."""
    channel = request.headers.get("X-Goog-Channel-ID", "") or "floor"
    found = _client().collection("floor").document(channel).get().exists
    return flask.jsonify({"result": "found" if found else "missing"})
