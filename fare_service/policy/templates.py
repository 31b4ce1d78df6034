"""The agent's texts as Jinja2 files: shipped defaults, replaceable one by one.

Each output text has one file, named after it (``customer_script.j2`` gives
``scripts.customer``; a script's lines are the rendered lines, blank ones dropped).
Operators point ``FARE_SERVICE_TEMPLATES_DIR`` at a folder of their own; a file there
replaces the shipped one of the same name. Everything is parsed
and checked once, at start-up: a syntax error, a variable outside the template's allowed
set (:data:`ALLOWED`), an ``include`` of another file, or an unknown file name in the
operator's folder is refused then, naming the file, never at the first call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import jinja2
from jinja2 import meta, nodes

from fare_service.errors import TemplateError

SHIPPED_DIR = Path(__file__).resolve().parent / "templates"

CASE = frozenset(
    {
        "outcome",
        "blockers",
        "blocker_labels",
        "unclearable",
        "call_type",
        "call_type_label",
        "state",
        "state_label",
        "payment",
        "payment_label",
        "driving_started",
        "driver_present",
        "insured",
        "confirm_stops",
        "route_km",
    }
)
FARE = frozenset(
    {
        "fare_changed",
        "route_changed",
        "adjustment",
        "fare_source",
        "original_fare",
        "adjusted_fare",
        "agreed_amount",
        "consented_fare",
        "fare_delta",
        "action",
        "amount",
        "cancel_amount",
        "refund_amount",
        "when",
        "linked_action",
        "linked_amount",
        "linked_cancel_amount",
    }
)
ROUTE = frozenset({"date", "origin", "destination", "original_destination", "waypoints"})
IDS = frozenset({"original_call_id", "forced_call_id"})
SMS_FARE = frozenset({"agreed_amount", "original_fare", "fare_changed", "route_changed"})
REASON = frozenset({"reason"})  # the agent's note: internal texts only, never said aloud

ALLOWED: Mapping[str, frozenset[str]] = {
    "headline": CASE | FARE,
    "opening_script": CASE | FARE | ROUTE,
    "customer_script": CASE | FARE | ROUTE,
    "driver_script": CASE | FARE | ROUTE | {"agent_name"},
    "admin_steps": CASE | FARE | IDS | REASON,
    "memo_original_call": CASE | FARE | IDS | REASON | {"date"},
    "memo_forced_call": CASE | FARE | IDS | REASON | {"date"},
    "sms_fare_adjusted": ROUTE | SMS_FARE,
    "sms_customer_unreachable": ROUTE | {"support_phone"},
    "sms_driver_delay": ROUTE,
}
"""Template name -> the variables it may use. Amounts arrive formatted (``30,000원``)."""


def _environment() -> jinja2.Environment:
    # Plain text for people, not HTML: no autoescape; block tags leave no blank lines.
    return jinja2.Environment(
        undefined=jinja2.StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True
    )


@dataclass(frozen=True)
class TemplateSet:
    """Compiled, validated templates; ``sources`` says which file each one came from."""

    templates: Mapping[str, jinja2.Template]
    sources: Mapping[str, Path]
    globals: Mapping[str, Any]  # Jinja's (range, dict, namespace ...), the same for all

    @classmethod
    def load(cls, templates_dir: Path | None = None) -> TemplateSet:
        """The shipped set with the operator's files in ``templates_dir`` laid over it."""
        sources = {name: SHIPPED_DIR / f"{name}.j2" for name in ALLOWED}
        sources |= _operator_files(templates_dir) if templates_dir is not None else {}
        env = _environment()
        # A plain dict, not Jinja's default ChainMap: iterating that cost ~a third of a render.
        jinja_globals = dict(env.make_globals(None))
        compiled = {
            name: _compile(env, name, path, jinja_globals) for name, path in sources.items()
        }
        return cls(compiled, sources, jinja_globals)

    def renderer(self, context: Mapping[str, Any]) -> Callable[[str], str]:
        """A function rendering any template by name from one ``context``, with the
        surrounding blank space removed; any error is a TemplateError naming the file.

        An instruction renders ~9 templates from one context. ``Template.render`` copies
        the context and Jinja's globals into a new dict for each (~2 us of ~11); Jinja's
        documented ``make_module(vars, shared=True)`` takes the dict as it is, so the
        globals are added once here. The result is ``render``'s, to the character (a
        test renders every outcome both ways)."""
        variables = {**self.globals, **context}

        def render(name: str) -> str:
            template = self.templates[name]
            try:
                return str(template.make_module(variables, shared=True)).strip()
            except Exception:
                self._failed(name, template)

        return render

    def _failed(self, name: str, template: jinja2.Template) -> NoReturn:
        """The error being handled, as a TemplateError naming the file.

        Called while handling it: Jinja's handler re-raises it with its traceback on the
        template's own lines (as ``Template.render`` does). Any error counts, not only
        Jinja's: a filter given the wrong type raises a TypeError, and loading cannot
        foresee one in an operator's file.
        """
        try:
            template.environment.handle_exception()
        except Exception as exc:
            raise TemplateError(f"{self.sources[name]}: {exc}", field=name) from exc


def _operator_files(folder: Path) -> dict[str, Path]:
    if not folder.is_dir():
        raise TemplateError(f"templates folder {folder} does not exist", field="templates_dir")
    found = {path.stem: path for path in sorted(folder.glob("*.j2"))}
    if unknown := sorted(set(found) - set(ALLOWED)):
        known = ", ".join(f"{name}.j2" for name in ALLOWED)
        raise TemplateError(f"{folder}: unknown template(s) {unknown}; known: {known}")
    return found


def _compile(
    env: jinja2.Environment, name: str, path: Path, jinja_globals: dict[str, Any]
) -> jinja2.Template:
    try:
        tree = env.parse(path.read_text(encoding="utf-8"), name, str(path))
        _check_variables(tree, name, path)  # compiles too: finds unknown filters
        if _references_others(tree):
            raise TemplateError(f"{path}: must not include or import others", field=name)
        code = env.compile(tree, name, str(path))
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"{path}: cannot be read: {exc}", field=name) from exc
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{path}: line {exc.lineno}: {exc.message}", field=name) from exc
    # The set's globals, so that Template.render gives what TemplateSet.renderer gives.
    return env.template_class.from_code(env, code, jinja_globals, None)


def _check_variables(tree: nodes.Template, name: str, path: Path) -> None:
    unknown = meta.find_undeclared_variables(tree) - ALLOWED[name]
    if unknown:
        allowed = ", ".join(sorted(ALLOWED[name]))
        listed = ", ".join(sorted(unknown))
        raise TemplateError(
            f"{path}: unknown variable(s) {listed}; {name}.j2 may use: {allowed}", field=name
        )


def _references_others(tree: nodes.Template) -> bool:
    """Each file stands alone, so checking it alone proves what it may print."""
    kinds = (nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)
    return any(True for _ in tree.find_all(kinds))
