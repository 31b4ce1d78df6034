"""Every combination of the enums and booleans, checked against the invariants an agent
relies on. Decisions are checked for every combination; texts are rendered once per
distinct decision (the combinations that differ only in ways no template sees share one).

Combinations: call type, state, payment, driving started (a completed call was always
driven), five changes (none, a new route priced up, the same amount on a new route, a lower
agreed fare, a higher agreed fare) and every subset of the seven checks.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections.abc import Iterator

import orjson
from policy_factories import (
    all_texts,
    customer_texts,
    make_call,
    make_estimate,
    said,
    spoken_texts,
)
from pydantic import TypeAdapter

from fare_service.policy import (
    Blocker,
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
from fare_service.policy.models import UNCLEARABLE, Notes, PaymentMethod, WarningCode
from fare_service.policy.payments import PAYMENTS, payment_row
from fare_service.policy.templates import ALLOWED

ORIGINAL = 25_000
COMPLETED, CARD = CallState.COMPLETED, PaymentMethod.CARD
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
NOTES = Notes(reason="앱 조작 실수로 운행 종료", agent_name="김상담")
MAX_ROUTE_M = 150_000


@functools.cache
def every_decision() -> tuple[Decision, ...]:
    """One decision per combination (about 36,000), computed once for both tests."""
    return tuple(_sweep())


def _sweep() -> Iterator[Decision]:
    axes = (CallType, CallState, PaymentMethod, FLAGS, range(len(CHANGES)), *[FLAGS] * 7)
    for call_type, state, payment, driven, change_no, *flags in itertools.product(*axes):
        if state is CallState.COMPLETED and not driven:
            continue  # refused as input (test_policy_rules)
        identity, present, driver_ok, customer_ok, relinked, recalling, on_duty = flags
        call = make_call(type=call_type, state=state, payment=payment, driving_started=driven)
        checks = Checks(
            identity, present, driver_ok, customer_ok, int(relinked), recalling, on_duty
        )
        change, estimate = CHANGES[change_no]
        # both ways each, at no extra cost: the forced call id and the agent's notes, and a
        # route too long for a ride (a wrong stop) on every other change
        yield decide(
            call,
            change,
            checks,
            estimate,
            forced_call_id="F-1" if recalling else None,
            notes=NOTES if on_duty else None,
            route_m=200_000 if change_no % 2 else 20_000,
            max_route_m=MAX_ROUTE_M,
        )


def paid_in_the_end(d: Decision) -> int:
    """What the customer pays in the end, in won: already charged + charged later + cash
    - refund. A completed card call was charged the original fare when it completed."""
    payment, action = d.payment, d.payment.action
    charged = d.fares.original if d.call.state is COMPLETED and d.call.payment is CARD else 0
    if action is PaymentAction.CANCEL_AND_RECHARGE:
        assert payment.cancel_amount == charged, "only what was charged is cancelled"
        charged = 0
    later = payment.amount if action is not PaymentAction.ALREADY_PAID else 0
    return charged + later - (payment.refund_amount or 0)


def check_decision(d: Decision) -> None:
    action, fares = d.payment.action, d.fares
    if d.outcome is Outcome.RECONNECT:
        assert d.checks.driver_consent and d.blockers == ()
        assert d.checks.customer_consent or not fares.adjustment
        assert d.insured and fares.consented == fares.adjusted
    if d.outcome in (Outcome.RECONNECT, Outcome.DECLINE):
        ride_goes_on = d.outcome is Outcome.RECONNECT or d.call.driving_started
        assert paid_in_the_end(d) == (fares.consented if ride_goes_on else 0), "never twice"
    if d.outcome is Outcome.BLOCKED:
        assert d.blockers and action is PaymentAction.NONE and not d.insured
    if action is not PaymentAction.NONE and d.payment.amount not in (0, ORIGINAL):
        assert d.checks.customer_consent, "a changed fare is never asked without consent"
    if action is PaymentAction.ALREADY_PAID:
        assert d.call.state is CallState.COMPLETED and d.call.payment is PaymentMethod.CARD
        assert fares.consented == fares.original and d.payment.amount == 0
    assert (d.payment.cancel_amount is not None) == (action is PaymentAction.CANCEL_AND_RECHARGE)
    assert (d.payment.refund_amount is not None) == (WarningCode.REFUND_DIFFERENCE in d.warnings)
    if d.call.type is CallType.CONSIGNED:
        assert not d.insured
    assert d.insured == (d.outcome is Outcome.RECONNECT)
    if not d.checks.identity_verified:
        assert d.blockers == (Blocker.IDENTITY_NOT_VERIFIED,)
    elif not d.checks.driver_present:
        assert d.blockers == (Blocker.DRIVER_NOT_PRESENT,)
    assert WarningCode.WRITE_TICKET in d.warnings, "the ticket comes with every outcome"


def decision_key(d: Decision) -> tuple:
    """Everything the texts depend on; combinations with equal keys render alike."""
    return (
        d.call,
        d.change,
        d.checks.driver_present,
        d.outcome,
        d.blockers,
        d.payment,
        d.payment_once_linked,
        d.warnings,
        d.forced_call_id,
        d.notes,
        d.route_m,
    )


def test_every_combination_keeps_the_invariants() -> None:
    rows_used = set()
    for d in every_decision():
        check_decision(d)
        rows_used.add(payment_row(d).guide)
    assert rows_used == {row.guide for row in PAYMENTS}, "every payment row is reachable"


UNFILLED = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}|\bNone\b|Undefined")
# What would promise the customer or the driver that the ride is re-linked.
PROMISE = re.compile(
    r"연결해 드릴게요|연결해 드려요|연결하겠습니다|연결해 드려도 될까요|연결하면 될까요"
    r"|다시 연결하고|다시 연결되면|연결된 뒤|이어서 이용하실 수 있도록|바로 진행할게요"
)
ADJUSTED = re.compile(r"조정되었|조정됐|조정이 완료")
# What asks to clear each clearable blocker, in the scripts.
ASKS_TO_CLEAR = re.compile(
    r"'호출 취소'|출근|동의해 주셔야|드려도 될까요\?|드릴까요\?|기사님 확인도"
)
INTERNAL_WORDS = ("강제재연결", "상황실", "제휴콜", "위탁콜", "원콜", "강콜", "아지트")


def distinct_instructions(templates: TemplateSet) -> Iterator[tuple[Decision, Instruction]]:
    for d in {decision_key(d): d for d in every_decision()}.values():
        yield d, instruct(d, templates, support_phone="1599-9400" if d.forced_call_id else None)


def test_every_distinct_case_renders_complete_texts(templates: TemplateSet) -> None:
    for d, instruction in distinct_instructions(templates):
        for where, text in all_texts(instruction).items():
            assert not UNFILLED.search(text), (where, text)
        for where, text in spoken_texts(instruction).items():
            assert "강제재연결" not in text.replace(" ", ""), (where, text)
        for where, text in customer_texts(instruction).items():
            assert not any(word in text for word in INTERNAL_WORDS), (where, text)
        assert instruction.headline and instruction.scripts.customer
        assert instruction.scripts.opening[1].endswith("본인이신가요?"), "identity second"
        assert (instruction.memo.forced_call is None) == (d.outcome is not Outcome.RECONNECT)
        assert instruction.admin_steps[-1].startswith("아지트를 작성합니다")
        if d.notes.reason:
            assert d.notes.reason in instruction.memo.original_call
            assert d.notes.reason in "\n".join(instruction.admin_steps)
        if d.outcome is Outcome.RECONNECT:
            assert f"{d.fares.adjusted:,}원" in said(instruction.scripts.customer)
        confirm = WarningCode.CONFIRM_STOPS in d.warnings
        assert ("경유지와 목적지를 다시 확인하세요" in instruction.headline) is confirm


def test_each_text_only_where_it_applies(templates: TemplateSet) -> None:
    """No SMS for what did not happen; no text promises what the outcome denies."""
    for d, instruction in distinct_instructions(templates):
        sms, outcome = instruction.sms, d.outcome
        adjusted = outcome is Outcome.RECONNECT and d.fares.changed
        open_case = outcome is Outcome.RECONNECT or (
            outcome is Outcome.BLOCKED and d.unclearable is None
        )
        assert (sms.fare_adjusted is not None) is adjusted
        assert (sms.customer_unreachable is not None) is open_case
        assert (sms.driver_delay is not None) is open_case
        for where, text in all_texts(instruction).items():
            assert adjusted or not ADJUSTED.search(text), (where, text)
        if not open_case:  # decline, referral, or a block nothing on this call clears
            for where, text in spoken_texts(instruction).items():
                assert not PROMISE.search(text), (where, text)
        if d.unclearable is not None:
            scripts = instruction.scripts
            for lines in (scripts.opening, scripts.customer, scripts.driver):
                assert not ASKS_TO_CLEAR.search(said(lines)), (d.blockers, lines)


def test_the_scripts_follow_the_call(templates: TemplateSet) -> None:
    """The opening asks the guide's questions in order; a case that may still be linked
    tells the customer the amount and the payment, even before the blockers are cleared;
    the driver is called only where this guide has something to say to them."""
    for d, instruction in distinct_instructions(templates):
        scripts = instruction.scripts
        opening, customer = said(scripts.opening), said(scripts.customer)
        pending = d.outcome is Outcome.RECONNECT or (
            d.outcome is Outcome.BLOCKED and d.unclearable is None
        )
        goes_on = pending or (d.outcome is Outcome.DECLINE and d.call.driving_started)
        asks = ["놀라셨", "본인이신가요?", "출발지와 도착지", "기사님과 함께 계신지"]
        if goes_on:
            asks.append("경유지 추가나 목적지 변경")
        if goes_on and d.fares.adjustment:
            asks += ["합의하신 요금", f"{d.fares.adjusted:,}원"]
        if d.unclearable is Blocker.IDENTITY_NOT_VERIFIED:
            asks = asks[:3]
        positions = [opening.find(ask) for ask in asks]
        assert -1 not in positions and positions == sorted(positions), (asks, opening)
        assert ("경유지 추가나 목적지 변경" in opening) is goes_on
        if pending:
            linked = d.payment_once_linked
            assert f"{d.fares.adjusted:,}원" in customer
            assert linked.action is PaymentAction.ALREADY_PAID or f"{linked.amount:,}원" in customer
        calls_driver = d.outcome is not Outcome.REFER_TO_SITUATION_ROOM and d.unclearable not in (
            Blocker.IDENTITY_NOT_VERIFIED,
            Blocker.DRIVER_NOT_PRESENT,
        )
        assert bool(scripts.driver) is calls_driver
        if calls_driver:
            assert scripts.driver[0].startswith("안녕하세요")
            assert "차를 세워" in scripts.driver[1] and "성함" in scripts.driver[2]
            assert (d.notes.agent_name or "상담사입니다") in scripts.driver[0]
        assert set(UNCLEARABLE) >= {b for b in d.blockers if b is d.unclearable}


def test_the_shared_context_renders_as_jinja_does_alone(templates: TemplateSet) -> None:
    """``TemplateSet.renderer`` merges the variables once for all texts; each text must
    come out as ``Template.render`` gives it with its own copy of them."""
    distinct = {decision_key(d): d for d in every_decision()}
    for d in distinct.values():
        context = template_context(d)
        render = templates.renderer(context)
        for name in ALLOWED:
            assert render(name) == templates.alone(name).render(context).strip(), name


def test_every_instruction_reads_back_as_the_documented_type(templates: TemplateSet) -> None:
    """What the API writes (orjson of the dataclass) is what the OpenAPI document
    describes (pydantic's schema of the same class), for every distinct decision."""
    adapter = TypeAdapter(Instruction)
    for _, instruction in distinct_instructions(templates):
        written = orjson.dumps(instruction)
        assert orjson.dumps(adapter.validate_json(written)) == written
