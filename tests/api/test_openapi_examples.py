"""The request examples of the OpenAPI document are real: each documented example of every
POST operation, sent as it is by someone it is meant for, succeeds. The ids they hold are the
catalogue's (a starter template, a requirement, a role), never a string made from a pattern."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.hub import Person, SignUp

pytestmark = pytest.mark.usefixtures("backend")

# Who sends an operation's examples: nobody (signing up), a platform administrator (an
# account given by one), else a verified professional of the role the examples are written
# for (the catalogue's Acquisition Specialist: its starter template and requirement).
ANONYMOUS = {"register_auth_register_post"}
ADMINISTRATORS = {"create_user"}
EXAMPLE_ROLE = "acquisition-specialist"


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def request_examples(document: dict[str, Any]) -> list[tuple[str, str, Any]]:
    """(operation id, path, example) for every documented request example of a POST."""
    found = []
    for path, operations in document["paths"].items():
        operation = operations.get("post")
        if operation is None or "requestBody" not in operation:
            continue
        for content in operation["requestBody"]["content"].values():
            examples = [e["value"] for e in content.get("examples", {}).values()]
            if "example" in content:
                examples.append(content["example"])
            schema = content.get("schema", {})
            for option in [schema, *schema.get("anyOf", [])]:
                examples += _resolve(document, option).get("examples", [])
            found += [(operation["operationId"], path, example) for example in examples]
    return found


async def test_every_documented_request_example_succeeds_as_it_is(
    client: httpx.AsyncClient, sign_up: SignUp
) -> None:
    document = (await client.get("/openapi.json")).json()
    examples = request_examples(document)
    documented = {operation for operation, _, _ in examples}
    assert {
        "register_auth_register_post",
        "create_user",
        "create_task",
        "create_document_instance",
        "create_compliance_record",
        "create_analytics_metric",
        "create_case",
    } <= documented
    professional = await sign_up(EXAMPLE_ROLE, given=True)
    admin = await sign_up(admin=True)
    senders: dict[str, Person | None] = dict.fromkeys(ANONYMOUS)
    senders |= dict.fromkeys(ADMINISTRATORS, admin)
    for operation, path, example in examples:
        assert "{" not in path, f"{operation}: an example for a path with ids cannot be sent"
        sender = senders.get(operation, professional)
        headers = sender.headers if sender is not None else {}
        answer = await client.post(path, json=example, headers=headers)
        assert 200 <= answer.status_code < 300, (operation, example, answer.text)


async def test_no_documented_id_is_made_up(client: httpx.AsyncClient) -> None:
    """The role and template ids of the examples exist in the catalogue."""
    document = (await client.get("/openapi.json")).json()
    roles = (await client.get("/api/v1/roles")).json()
    role_ids = {role["id"] for role in roles}
    assert len(role_ids) == 89
    for operation, _, example in request_examples(document):
        if "role_id" in example:
            assert example["role_id"] in role_ids, operation
