"""Schema fuzzing: schemathesis generates requests for every operation of the OpenAPI schema and
sends them, in process, as two roles with opposite reach — the campaign office (the whole county)
and an enterprise (one company). Whatever it sends, the platform must never answer 5xx.

One test per operation, so a new endpoint is fuzzed without editing this file. The number of
examples is bounded (``ANZHI_FUZZ_EXAMPLES``, default 6 per operation) so the suite stays fast on two
cores; raise it for a deeper run: ``ANZHI_FUZZ_EXAMPLES=200 pytest tests/test_api_fuzz.py``.

schemathesis' own pytest plugin (``from_fixture``) does not run under pytest 9, so the schema is
built here from drf-spectacular's generator and each operation's hypothesis strategy is driven
directly."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from functools import cache
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from accounts import services as account_services
from tests.personas import World

EXAMPLES = int(os.environ.get("ANZHI_FUZZ_EXAMPLES", "6"))
ROLES = ["office", "enterprise_a"]


@cache
def _schema() -> Any:
    document = json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))
    loaded = schemathesis.openapi.from_dict(document)
    from anzhi.wsgi import application

    loaded.app = application  # send every case through the WSGI app in this process
    return loaded


def _labels() -> list[str]:
    return [result.ok().label for result in _schema().get_all_operations()]


def test_every_operation_is_fuzzed() -> None:
    # A schema that fails to load as a whole would otherwise yield zero parametrised cases.
    assert len(_labels()) >= 50


@pytest.fixture
def _keep_test_connection() -> Iterator[None]:
    """Requests go straight through the WSGI handler, which closes the database connection when a request
    ends; inside a test's transaction (PostgreSQL) that would end the test's own connection. Django's test
    client makes the same exception."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.parametrize("label", _labels())
def test_api_never_answers_a_server_error(label: str, world: World, _keep_test_connection: None) -> None:
    tokens = [account_services.token_create(actor=world.user(role), name="fuzz")[1] for role in ROLES]
    operation = _schema().find_operation_by_label(label)

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        for key in tokens:
            case.call_and_validate(headers={"Authorization": f"Token {key}"}, checks=[not_a_server_error])

    run()


HUGE = 2**70  # beyond every integer column of every database


def _resolve(document: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = document["components"]["schemas"][node["$ref"].split("/")[-1]]
    for key in ("allOf", "oneOf", "anyOf"):
        if node.get(key):
            return _resolve(document, node[key][0])
    return node


def _huge_integers(document: dict[str, Any], operation: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Query parameters and a JSON body in which every integer the schema declares is 2**70."""
    query = {p["name"]: HUGE for p in operation.get("parameters", [])
             if p.get("in") == "query" and _resolve(document, p.get("schema", {})).get("type") == "integer"}
    body: dict[str, Any] = {}
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" in content:
        for name, prop in _resolve(document, content["application/json"]["schema"]).get("properties", {}).items():
            prop = _resolve(document, prop)
            if prop.get("readOnly"):
                continue
            if prop.get("type") == "integer":
                body[name] = HUGE
            elif prop.get("type") == "array" and _resolve(document, prop.get("items", {})).get("type") == "integer":
                body[name] = [HUGE]
    return query, body


def test_huge_integers_anywhere_are_refused_not_crashed(world: World) -> None:
    """Deterministic companion of the random fuzzer: every integer an operation accepts, in the query
    and in the body, set to 2**70 at once, as the office (the widest scope). Never a 5xx."""
    from rest_framework.test import APIClient

    document = json.loads(json.dumps(SchemaGenerator().get_schema(request=None, public=True), default=str))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {account_services.token_create(actor=world.user('office'), name='huge')[1]}")
    sent, crashed = 0, []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue
            query, body = _huge_integers(document, operation)
            if not query and not body and "{id}" not in path:
                continue
            url = path.replace("{id}", str(HUGE))
            response = getattr(client, method)(url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""),
                                               body or None, format="json")
            sent += 1
            if response.status_code >= 500:
                crashed.append(f"{method.upper()} {url} {query} {body} → {response.status_code}")
    assert sent > 30
    assert not crashed, crashed
