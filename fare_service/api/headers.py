"""Security headers, in one pure-ASGI middleware.

- ``X-Content-Type-Options: nosniff`` on every response: a browser never runs a JSON
  body or an error page as a script or a style because it guessed the type.
- ``Content-Security-Policy`` on the public pages and their files (the form at ``/``,
  ``/docs``, ``/static``, ``/docs-static``, ``/healthz``), not on the API (``/v1/``,
  ``/metrics``), whose JSON no browser renders as a page. Scripts, styles, and calls to
  the API come from this origin only, no plugin, no ``<base>``, and no site may frame the
  pages (``frame-ancestors 'none'``, clickjacking). The form needs nothing inline: its
  script and styles are files and its favicon is ``data:,`` (hence ``img-src data:``,
  which Swagger UI's stylesheet also uses for its icons).
- ``/docs`` is Swagger UI's page as FastAPI writes it, which starts the UI with one
  inline ``<script>``. The policy allows that script by its SHA-256 hash, worked out
  from FastAPI's own page, so any other inline script (an injected one) stays blocked;
  ``'unsafe-inline'`` would allow them all. The test compares the hash with the script
  ``/docs`` serves, so a change to ``docs.py``'s Swagger options cannot go unnoticed.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable

from fastapi.openapi.docs import get_swagger_ui_html
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from fare_service.api.security import PROTECTED

DOCS_PATH = "/docs"
NOSNIFF = (b"x-content-type-options", b"nosniff")
_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.DOTALL)


def page_policy(inline_scripts: Iterable[str] = ()) -> str:
    """The policy of a page that may run these inline scripts, and no other."""
    hashes = "".join(f" 'sha256-{_sha256(script)}'" for script in inline_scripts)
    return (
        f"default-src 'self'; script-src 'self'{hashes}; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


def swagger_ui_scripts(openapi_url: str) -> list[str]:
    """The inline scripts of FastAPI's Swagger UI page; only ``openapi_url`` (and options
    ``docs.py`` does not set) goes into them, not the title or the asset URLs."""
    page = get_swagger_ui_html(openapi_url=openapi_url, title="", swagger_js_url="")
    return _INLINE_SCRIPT.findall(bytes(page.body).decode())


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, openapi_url: str) -> None:
        self.app = app
        self.api_headers = [NOSNIFF]
        self.page_headers = [NOSNIFF, (b"content-security-policy", page_policy().encode())]
        docs_policy = page_policy(swagger_ui_scripts(openapi_url))
        self.docs_headers = [NOSNIFF, (b"content-security-policy", docs_policy.encode())]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = scope["path"]
        if path.startswith(PROTECTED):
            extra = self.api_headers
        else:
            extra = self.docs_headers if path == DOCS_PATH else self.page_headers

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _sha256(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
