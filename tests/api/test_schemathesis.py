"""Property-based API tests from the app's own OpenAPI schema (schemathesis).

At least 200 generated requests per operation, valid and invalid: none may get a 5xx,
and every response must match the schema the app publishes.
"""

from __future__ import annotations

import os
import secrets

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks

from fare_service.api.app import create_app, load_state
from fare_service.config import Settings

KEY = secrets.token_urlsafe(16)
os.environ["FARE_SERVICE_TEST_API_KEY"] = KEY  # read by schemathesis.toml's [auth]
settings_with_key = Settings(api_keys=[KEY])
app = create_app(settings_with_key)
load_state(app, settings_with_key)  # the ASGI transport does not run the lifespan
schema = schemathesis.openapi.from_asgi("/openapi.json", app)
# Every check but "positive data acceptance": a schema cannot say that a trace and legs
# exclude each other, or that a place must exist, so such valid-looking requests get 4xx.
CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
    checks.negative_data_rejection,
]


@schema.parametrize()
@settings(max_examples=200, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors_and_responses_match_the_schema(case):
    response = case.call()
    assert response.status_code < 500, response.text
    case.validate_response(response, checks=CHECKS)
