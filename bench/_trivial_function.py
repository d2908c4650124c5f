"""The baseline for ``bench.bench_webhook``: a trivial functions-framework HTTP function.

It does what any webhook must do at the least (read the ``X-Goog-*`` headers, answer JSON),
so the ratio shows what our validation, store round-trips and publish add.
"""

from __future__ import annotations

import flask
import functions_framework


@functions_framework.http
def trivial(request: flask.Request) -> flask.Response:
    """Read the channel headers and answer 200 with a small JSON body."""
    channel = request.headers.get("X-Goog-Channel-ID", "")
    response = flask.jsonify({"result": "ok" if channel else "missing"})
    return response
