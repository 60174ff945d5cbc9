"""The OpenAPI document and a browsable page of the operations (server-rendered: no CDN, no script)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint as FlaskBlueprint
from flask import current_app, jsonify, render_template

from crm.api.blueprint import bp

METHODS = ("get", "post", "put", "patch", "delete")


def spec() -> dict[str, Any]:
    """Return this app's OpenAPI document."""
    return current_app.extensions["crm_api"].spec.to_dict()


def openapi_json():
    """Serve the OpenAPI 3.1 document."""
    return jsonify(spec())


def operations(document: dict[str, Any]) -> list[dict[str, Any]]:
    """Return every operation of the document: method, path, summary and parameters."""
    found = []
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            if method in item:
                op = item[method]
                params = [p["name"] for p in (*item.get("parameters", []), *op.get("parameters", []))]
                body = "requestBody" in op
                summary = op.get("summary") or op.get("description", "")
                found.append(
                    {
                        "method": method.upper(),
                        "path": path,
                        "summary": summary,
                        "parameters": params,
                        "body": body,
                    }
                )
    return found


def docs():
    """Show the operations of the API, read from the served document."""
    document = spec()
    return render_template("api/docs.html", document=document, operations=operations(document))


# Plain Flask rules: these two pages are not operations of the document they describe.
FlaskBlueprint.add_url_rule(bp, "/openapi.json", "openapi_json", openapi_json)
FlaskBlueprint.add_url_rule(bp, "/docs", "docs", docs)
