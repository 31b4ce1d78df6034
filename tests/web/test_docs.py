"""``/docs`` in Chromium at 1366x768, as a developer uses it: every ``/v1/`` operation
rendered by Swagger UI, the "Authorize" button taking the API key, and the quote
example run with "Try it out"."""

from __future__ import annotations

import re

import httpx
import pytest

pytestmark = pytest.mark.timeout(120)


def operations_in_document(base_url: str) -> set[tuple[str, str]]:
    paths = httpx.get(base_url + "/openapi.json", timeout=10).json()["paths"]
    return {
        (method.upper(), path)
        for path, operations in paths.items()
        if path.startswith("/v1/")
        for method in operations
    }


def rendered_operations(page) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    page.locator(".opblock").first.wait_for()
    found = set()
    for block in page.locator(".opblock").all():
        method = block.locator(".opblock-summary-method").inner_text().strip()
        path = block.locator(".opblock-summary-path").get_attribute("data-path") or ""
        found.add((method, path))
    return found


def authorize(page, key: str) -> None:  # type: ignore[no-untyped-def]
    page.locator(".auth-wrapper .btn.authorize").click()
    dialog = page.locator(".dialog-ux .modal-ux")
    dialog.locator("input").fill(key)
    dialog.locator(".auth-btn-wrapper .btn.authorize").click()
    dialog.locator(".auth-btn-wrapper .btn-done").click()


def operation(page, method: str, path: str):  # type: ignore[no-untyped-def]
    return page.locator(f'.opblock-{method}:has(.opblock-summary-path[data-path="{path}"])')


def run_example(page, method: str, path: str) -> str:  # type: ignore[no-untyped-def]
    """Open the operation, "Try it out" with its example as filled in, "Execute"; the
    status code shown in the live response."""
    block = operation(page, method, path)
    block.locator(".opblock-summary").click()
    block.locator(".try-out__btn").click()
    block.locator(".btn.execute").click()
    status = block.locator(".live-responses-table tbody .response-col_status").first
    status.wait_for()
    return status.inner_text().strip()


def test_docs_render_every_v1_operation(keyed_server, page) -> None:
    page.goto(keyed_server + "/docs")
    expected = operations_in_document(keyed_server)
    assert {("POST", "/v1/quotes"), ("POST", "/v1/route-map")} <= expected
    assert rendered_operations(page) >= expected
    assert not page.locator(".errors-wrapper").count(), page.locator(".errors-wrapper").inner_text()


def test_authorized_quote_example_runs_with_try_it_out(keyed_server, api_key, page) -> None:
    page.goto(keyed_server + "/docs")
    authorize(page, api_key)
    assert run_example(page, "post", "/v1/quotes") == "200"
    body = operation(page, "post", "/v1/quotes").locator(".live-responses-table .microlight")
    assert re.search(r'"fare":\s*\d+', body.first.inner_text())


def test_without_authorizing_the_example_is_refused(keyed_server, page) -> None:
    page.goto(keyed_server + "/docs")
    assert run_example(page, "get", "/v1/tariffs") == "401"
