"""The OpenAPI document matches the routes: every /api/v1 rule is in it, and everything
in it is a rule, with the same methods; it loads as a valid OpenAPI 3.1 schema."""
import re

import pytest
import schemathesis

from services.web.api.spec import DOCUMENT

pytestmark = pytest.mark.service
API = "/api/v1"


def api_rules(app):
    """(method, OpenAPI path, endpoint) for every /api/v1 rule."""
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith(API + "/"):
            path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule[len(API):])
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                yield method.lower(), path, rule.endpoint


def spec_operations() -> set[tuple[str, str]]:
    return {(method, path) for path, item in DOCUMENT["paths"].items() for method in item}


def test_every_route_is_documented_and_every_documented_operation_exists(app):
    routes = {(method, path) for method, path, _ in api_rules(app)}
    documented = spec_operations()
    assert routes - documented == set(), "routes missing from the OpenAPI document"
    assert documented - routes == set(), "documented operations with no route"


def test_served_document_is_the_data_and_is_valid(app):
    served = app.test_client().get(f"{API}/openapi.json")
    assert served.status_code == 200 and served.json == DOCUMENT
    schema = schemathesis.openapi.from_dict(served.json)
    assert len(list(schema.get_all_operations())) == len(spec_operations())


def test_documented_roles_match_the_route_decorators(app):
    for method, path, endpoint in api_rules(app):
        documented = DOCUMENT["paths"][path][method].get("x-required-role")
        view = app.view_functions[endpoint]
        assert getattr(view, "required_role", None) == documented, (method, path)
