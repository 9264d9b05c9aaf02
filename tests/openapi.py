"""Validate API responses against the generated OpenAPI schema (house style 14)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import jsonschema
from django.test import Client
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012


def _to_json_schema(node: Any) -> Any:
    """OpenAPI 3.0 → JSON Schema: ``nullable`` becomes a null alternative; refs are rewritten."""
    if isinstance(node, dict):
        out = {k: _to_json_schema(v) for k, v in node.items() if k != "nullable"}
        if "$ref" in out:
            out["$ref"] = out["$ref"].replace("#/components/schemas/", "urn:anzhi:schemas#/")
        if node.get("nullable"):
            return {"anyOf": [out, {"type": "null"}]}
        return out
    if isinstance(node, list):
        return [_to_json_schema(v) for v in node]
    return node


@lru_cache(maxsize=1)
def _schema_bytes_cache() -> dict[str, Any]:
    return {}


def load_schema(client: Client | None = None) -> dict[str, Any]:
    cache = _schema_bytes_cache()
    if "doc" not in cache:
        client = client or Client()
        response = client.get("/api/v1/openapi.json")
        assert response.status_code == 200, response.status_code
        cache["doc"] = response.json()
    return cache["doc"]


def _match_path(doc: dict[str, Any], path: str) -> str:
    path = path.split("?")[0]
    # Literal paths first, so /x/mark-read/ is not taken for /x/{id}/.
    for template in sorted(doc["paths"], key=lambda t: t.count("{")):
        pattern = "^" + re.sub(r"\{[^}]+\}", r"[^/]+", template) + "$"
        if re.match(pattern, path):
            return template
    raise AssertionError(f"{path} is not in the OpenAPI schema")


def assert_matches_schema(response: Any, method: str = "get") -> None:
    doc = load_schema()
    template = _match_path(doc, response.request["PATH_INFO"])
    operation = doc["paths"][template][method.lower()]
    status = str(response.status_code)
    assert status in operation["responses"], f"{method.upper()} {template} has no documented {status} response"
    content = operation["responses"][status].get("content", {})
    if not content:
        return
    schema = _to_json_schema(content["application/json"]["schema"])
    components = _to_json_schema(doc["components"]["schemas"])
    registry = Registry().with_resource("urn:anzhi:schemas", Resource(contents=components, specification=DRAFT202012))
    jsonschema.Draft202012Validator(schema, registry=registry).validate(response.json())
