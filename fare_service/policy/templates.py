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
from dataclasses import dataclass, field
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


def _every_variable_named() -> nodes.ExprStmt:
    """A statement that only names every variable, first in :attr:`TemplateSet.together`.

    Jinja looks a variable up once per scope that uses it, and each file is a scope of its
    own: 123 lookups a render for the shipped files. Named once at the top, each is looked
    up there and the files read it from there: 42 lookups, a quarter less time a render
    (~6 us). A new node each time: compiling a tree writes its line numbers and
    environment into every node of it."""
    names = sorted(frozenset().union(*ALLOWED.values()))
    return nodes.ExprStmt(nodes.List([nodes.Name(name, "load") for name in names]))


def _environment() -> jinja2.Environment:
    # Plain text for people, not HTML: no autoescape; block tags leave no blank lines.
    return jinja2.Environment(
        undefined=jinja2.StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True
    )


@dataclass(frozen=True)
class TemplateSet:
    """Validated templates; ``sources`` says which file each one came from."""

    sources: Mapping[str, Path]
    texts: Mapping[str, str]  # each file's text
    globals: Mapping[str, Any]  # Jinja's (range, dict, namespace ...), the same for all
    together: jinja2.Template
    """Every file at once, each as a block ``{% set <name> %}...{% endset %}``: what
    :meth:`renderer` renders."""
    _alone: dict[str, jinja2.Template] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def load(cls, templates_dir: Path | None = None) -> TemplateSet:
        """The shipped set with the operator's files in ``templates_dir`` laid over it.

        Each file is parsed and checked alone (errors name it), then compiled once into
        :attr:`together`: a block's own ``set`` stays in its block, as a file's stays in
        its file. A file is compiled alone only if it is ever rendered alone."""
        sources = {name: SHIPPED_DIR / f"{name}.j2" for name in ALLOWED}
        sources |= _operator_files(templates_dir) if templates_dir is not None else {}
        env = _environment()
        # A plain dict, not Jinja's default ChainMap: iterating that cost ~a third of a render.
        jinja_globals = dict(env.make_globals(None))
        texts = {name: _read(name, path) for name, path in sources.items()}
        blocks = [
            nodes.AssignBlock(nodes.Name(name, "store"), None, _parsed(env, name, path, text).body)
            for (name, path), text in zip(sources.items(), texts.values(), strict=True)
        ]
        tree = nodes.Template([_every_variable_named(), *blocks])
        tree.set_lineno(1).set_environment(env)
        code = env.compile(tree, "all texts")
        together = env.template_class.from_code(env, code, jinja_globals, None)
        return cls(sources, texts, jinja_globals, together)

    def alone(self, name: str) -> jinja2.Template:
        """One file compiled on its own (its errors on its own lines); compiled at the
        first call, which is only ever when something failed, or a test."""
        if name not in self._alone:
            env, path = self.together.environment, str(self.sources[name])
            code = env.compile(env.parse(self.texts[name], name, path), name, path)
            self._alone[name] = env.template_class.from_code(env, code, dict(self.globals), None)
        return self._alone[name]

    def renderer(self, context: Mapping[str, Any]) -> Callable[[str], str]:
        """A function giving any template's text by name from one ``context``, with the
        surrounding blank space removed; any error is a TemplateError naming the file.

        An instruction needs ~9 texts from one context, so all are rendered at once, by
        :attr:`together` (~45 us for the ten, where a render of each took ~80: Jinja's
        fixed cost per render is a new context, each variable looked up again, and the
        output joined). Jinja's documented ``make_module(vars, shared=True)`` takes the
        variables as they are, so the globals are added once here. If any text fails, each
        is rendered alone when asked for: the error names its file and line, and a text
        this instruction does not use (an SMS) fails nothing. Each text is what
        ``Template.render`` of its file gives (a test renders every outcome both ways)."""
        variables = {**self.globals, **context}
        try:
            texts: Any = self.together.make_module(variables, shared=True)
        except Exception:
            texts = None

        def render(name: str) -> str:
            if texts is not None:
                return str(getattr(texts, name)).strip()
            template = self.alone(name)
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


def _read(name: str, path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TemplateError(f"{path}: cannot be read: {exc}", field=name) from exc


def _parsed(env: jinja2.Environment, name: str, path: Path, text: str) -> nodes.Template:
    try:
        tree = env.parse(text, name, str(path))
        _check_variables(tree, name, path)  # generates code too: finds unknown filters
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{path}: line {exc.lineno}: {exc.message}", field=name) from exc
    if _references_others(tree):
        raise TemplateError(f"{path}: must not include or import others", field=name)
    return tree


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
