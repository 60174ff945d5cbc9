"""Schemathesis against the served OpenAPI document: no 5xx and every answer matching its schema, for a
liaison, a viewer and a staff token. One world serves every operation, and each operation gets a few
generated cases (sent once per role), so the whole run stays cheap."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import checks

CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]
EXAMPLES = 5


def run_operation(app, operation, role_headers: dict, sent: list) -> None:
    """Send a few generated cases of one operation with each role's token and check every answer."""

    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case) -> None:
        for headers in role_headers.values():
            case.call_and_validate(app=app, headers=headers, checks=CHECKS)
            sent.append(operation.label)

    run()


def test_every_operation_conforms_to_the_served_document(app, client, api_world, bearer):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    schema = schemathesis.openapi.from_dict(document)
    role_headers = {role: bearer(getattr(api_world, role)) for role in ("liaison", "viewer", "staff")}
    operations = [result.ok() for result in schema.get_all_operations()]
    sent: list[str] = []
    for operation in operations:
        run_operation(app, operation, role_headers, sent)
    assert len(operations) >= 20 and len(set(sent)) == len(operations)
    print(f"schemathesis: {len(operations)} operations, {len(sent)} requests, 0 failures")
