"""The API functions' second cold-start floor: the least app the HTTP library they are built on makes.

A functions-framework HTTP function that builds a flask-openapi3 app with one route over one
pydantic model on first use and answers its OpenAPI document (what the ``meetings_api`` probe asks
for). Its ratio to ``bench/_trivial_function.py`` is what importing and building the library costs
any function that documents its API from pydantic models, before any of our code runs.
"""

from __future__ import annotations

from functools import cache

import flask
import functions_framework
from flask_openapi3.models.info import Info
from flask_openapi3.openapi import OpenAPI
from pydantic import BaseModel


class Item(BaseModel):
    """One answer object."""

    id: str
    title: str


@cache
def _app() -> OpenAPI:
    app = OpenAPI(__name__, info=Info(title="floor", version="1"), doc_ui=False, static_folder=None)

    @app.get("/v1/items/<item_id>", responses={200: Item})
    def item(item_id: str) -> dict[str, str]:
        return {"id": item_id, "title": ""}

    return app


@functions_framework.http
def trivial_openapi(request: flask.Request) -> flask.Response:
    """Answer the app's OpenAPI document, built from its one model on the first request."""
    return flask.jsonify(_app().api_doc)
