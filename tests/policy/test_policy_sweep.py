"""Every combination of the enums and booleans, checked against the invariants an agent
relies on. Decisions are checked for every combination; texts are rendered once per
distinct decision (the combinations that differ only in ways no template sees share one).
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator

import orjson
from policy_factories import all_texts, customer_texts, make_call, make_estimate
from pydantic import TypeAdapter

from fare_service.policy import (
    CallState,
    CallType,
    Change,
    Checks,
    Decision,
    Estimate,
    Instruction,
    Outcome,
    PaymentAction,
    TemplateSet,
    decide,
    instruct,
)
from fare_service.policy.instruction import template_context
from fare_service.policy.models import PaymentMethod
from fare_service.policy.rules import PAYMENTS, payment_row

ORIGINAL = 25_000
CHANGES: list[tuple[Change, Estimate | None]] = [
    (Change(), None),
    (
        Change(new_destination_name="분당구 서현동", added_waypoint_names=["판교동"]),
        make_estimate(fare=31_000),
    ),
    (Change(new_destination_name="분당구 서현동", agreed_fare=ORIGINAL), make_estimate()),
    (Change(agreed_fare=22_000), None),
    (Change(added_waypoint_names=["판교동"], agreed_fare=60_000), make_estimate(fare=30_000)),
]
FLAGS = [False, True]


@functools.cache
def every_decision() -> tuple[Decision, ...]:
    """One decision per combination (about 36,000), computed once for both tests."""
    return tuple(_sweep())


def _sweep() -> Iterator[Decision]:
    axes = (CallType, CallState, PaymentMethod, FLAGS, range(len(CHANGES)), *[FLAGS] * 7)
    for call_type, state, payment, driven, change_no, *flags in itertools.product(*axes):
        identity, present, driver_ok, customer_ok, relinked, recalling, on_duty = flags
        call = make_call(type=call_type, state=state, payment=payment, driving_started=driven)
        checks = Checks(
            identity, present, driver_ok, customer_ok, int(relinked), recalling, on_duty
        )
        change, estimate = CHANGES[change_no]
        forced_call_id = "F-1" if present else None  # both ways, at no extra cost
        yield decide(call, change, checks, estimate, forced_call_id=forced_call_id)


def check_decision(d: Decision) -> None:
    action, fares = d.payment.action, d.fares
    if d.outcome is Outcome.RECONNECT:
        assert d.checks.driver_consent and d.blockers == ()
        assert d.checks.customer_consent or not fares.adjustment
        assert d.insured
    if d.outcome is Outcome.BLOCKED:
        assert d.blockers and action is PaymentAction.NONE and not d.insured
    if action is not PaymentAction.NONE and d.payment.amount not in (0, ORIGINAL):
        assert d.checks.customer_consent, "a changed fare is never asked without consent"
    if action is PaymentAction.ALREADY_PAID:
        assert d.call.state is CallState.COMPLETED and d.call.payment is PaymentMethod.CARD
        assert not fares.changed and d.payment.amount == 0
    assert (d.payment.cancel_amount is not None) == (action is PaymentAction.CANCEL_AND_RECHARGE)
    if d.call.type is CallType.CONSIGNED:
        assert not d.insured
    assert d.insured == (d.outcome is Outcome.RECONNECT)
    if not d.checks.identity_verified:
        assert d.blockers == ("identity_not_verified",)


def decision_key(d: Decision) -> tuple:
    """Everything the texts depend on; combinations with equal keys render alike."""
    return (
        d.call,
        d.change,
        d.checks.driver_present,
        d.outcome,
        d.blockers,
        d.payment,
        d.warnings,
        d.forced_call_id,
    )


def test_every_combination_keeps_the_invariants() -> None:
    rows_used = set()
    for d in every_decision():
        check_decision(d)
        rows_used.add(payment_row(d).guide)
    assert rows_used == {row.guide for row in PAYMENTS}, "every payment row is reachable"


UNFILLED = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}|\bNone\b|Undefined")


def test_every_distinct_case_renders_complete_texts(templates: TemplateSet) -> None:
    distinct = {decision_key(d): d for d in every_decision()}
    for d in distinct.values():
        instruction = instruct(d, templates)
        for where, text in all_texts(instruction).items():
            assert not UNFILLED.search(text), (where, text)
        for where, text in customer_texts(instruction).items():
            assert "강제재연결" not in text.replace(" ", ""), (where, text)
        assert "강제재연결" not in instruction.scripts.driver.replace(" ", "")
        assert instruction.headline and instruction.scripts.customer
        assert (instruction.memo.forced_call is None) == (d.outcome is not Outcome.RECONNECT)
        if d.outcome is Outcome.RECONNECT:
            assert instruction.admin_steps and format_amount(d) in instruction.sms.fare_adjusted


def format_amount(d: Decision) -> str:
    return f"{d.fares.adjusted:,}원"


def test_the_shared_context_renders_as_jinja_does_alone(templates: TemplateSet) -> None:
    """``TemplateSet.renderer`` merges the variables once for all texts; each text must
    come out as ``Template.render`` gives it with its own copy of them."""
    distinct = {decision_key(d): d for d in every_decision()}
    for d in distinct.values():
        context = template_context(d)
        render = templates.renderer(context)
        for name, template in templates.templates.items():
            assert render(name) == template.render(context).strip(), name


def test_every_instruction_reads_back_as_the_documented_type(templates: TemplateSet) -> None:
    """What the API writes (orjson of the dataclass) is what the OpenAPI document
    describes (pydantic's schema of the same class), for every distinct decision."""
    adapter = TypeAdapter(Instruction)
    distinct = {decision_key(d): d for d in every_decision()}
    for d in distinct.values():
        written = orjson.dumps(instruct(d, templates))
        assert orjson.dumps(adapter.validate_json(written)) == written
