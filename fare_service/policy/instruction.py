"""From a decision to the full instruction: amounts, warnings and the rendered words.

:func:`fare_service.policy.rules.decide` decides (pure); :func:`instruct` only words it,
so the wording can change (operators' templates) without touching a rule.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fare_service.clock import SEOUL
from fare_service.money import format_won
from fare_service.policy.models import (
    AgentWarning,
    Decision,
    Instruction,
    Memo,
    Outcome,
    Scripts,
    Sms,
    WarningCode,
)
from fare_service.policy.rules import agreed_band
from fare_service.policy.templates import TemplateSet

CATEGORY_ROOT = "대리_고객 ▶ 호출/운행 ▶ 강제재운행 ▶ "
UNKNOWN_FORCED_ID = "(재배정 후 확인)"
"""Written where the forced call's id goes until the agent knows it."""

W = WarningCode
WARNING_TEXT: dict[WarningCode, str] = {
    W.CONFIRM_STOPS: "경로가 {route_km}로 대리운전 한 건으로 보기 어렵게 깁니다. "
    "경유지와 목적지를 다시 확인하세요.",
    W.REFUND_DIFFERENCE: "이미 결제된 {original}이 합의 요금 {consented}보다 많습니다. "
    "차액 {refund}은 상황실을 통해 환불하세요.",
    W.DRIVER_NOT_PRESENT: "기사가 고객과 함께 있지 않습니다. 이 안내로는 재연결하지 않으니 "
    "'[전화] (기사 함께 X) 고객_강제재연결 요청' 가이드를 따르세요.",
    W.AGREED_FARE_OUTSIDE_BAND: "합의 요금 {agreed}이 예상 요금 {estimate}에서 크게 벗어납니다 "
    "(허용 범위 {low}~{high}). 결제 전에 양측에 금액을 다시 확인하세요.",
    W.AGREED_FARE_BELOW_MINIMUM: "합의 요금 {agreed}이 요금표의 최저 요금 {minimum}보다 낮습니다. "
    "결제 전에 확인하세요.",
    W.SAME_AMOUNT_ON_CHANGED_ROUTE: "경로가 바뀌었는데 요금은 그대로 {agreed}입니다. "
    "'같은 금액'이라고만 하지 말고 금액을 직접 말해 양측의 동의를 받으세요.",
    W.FARE_CHANGE_NOT_AGREED: "고객이 변경 요금 {adjusted}에 동의하지 않아 기존 요금 "
    "{original}으로 안내합니다. 변경 요금을 받으려면 먼저 고객 동의를 받으세요.",
    W.NO_DRIVING_UNTIL_LINKED: "연결 전 운행은 무보험 운행입니다. 연결될 때까지 운행하지 않도록 "
    "안내하세요.",
    W.NOT_INSURED: "재연결이 되지 않아 보험이 적용되지 않습니다. 고객과 기사 모두에게 알리세요.",
    W.METER_NOT_RUNNING: "강제 배정된 콜은 앱 미터기가 작동하지 않습니다. 요금은 이 계산 결과나 "
    "합의 금액으로 정산합니다.",
    W.LINK_ONCE: "재연결은 한 번만 가능합니다. 고객과 기사 모두에게 앱 조작에 유의하도록 "
    "안내하세요.",
    W.CHARGE_TAKES_TIME: "카드 결제는 운행이 끝난 뒤 차례로 처리되어 시간이 걸릴 수 있다고 "
    "안내하세요.",
    W.PAY_ON_ORIGINAL_CALL: "결제와 재결제는 원콜(고객 호출 건)에서 진행합니다. 강콜에서 결제하지 "
    "마세요.",
    W.WRITE_TICKET: "아지트를 반드시 작성하세요.",
    W.AVOID_TERM: "고객에게 '강제재연결'이라는 말을 쓰지 마세요. '다시 연결'로 안내합니다.",
}


def instruct(
    d: Decision, templates: TemplateSet, *, support_phone: str | None = None
) -> Instruction:
    """Word a decision: every text comes from ``templates``, every number from ``d``.

    ``support_phone`` is the customer centre's number for the call-back SMS (none: the SMS
    names no number)."""
    render = templates.renderer(template_context(d, support_phone=support_phone))
    fares = d.fares
    return Instruction(
        outcome=d.outcome,
        blockers=d.blockers,
        original_fare=fares.original,
        adjusted_fare=fares.adjusted,
        fare_delta=fares.adjusted - fares.original,
        fare_changed=fares.changed,
        route_changed=fares.route_changed,
        agreed_amount=fares.adjusted,
        insured=d.insured,
        payment=d.payment,
        warnings=_warnings(d),
        headline=render("headline"),
        category=CATEGORY_ROOT + d.call.type.label,
        admin_steps=_lines(render("admin_steps")),
        memo=Memo(
            original_call=render("memo_original_call"),
            forced_call=render("memo_forced_call") if d.outcome is Outcome.RECONNECT else None,
        ),
        scripts=Scripts(
            opening=_lines(render("opening_script")),
            customer=_lines(render("customer_script")),
            driver=_lines(render("driver_script")),
        ),
        sms=Sms(
            fare_adjusted=render("sms_fare_adjusted") if _fare_adjusted(d) else None,
            customer_unreachable=render("sms_customer_unreachable") if _open(d) else None,
            driver_delay=render("sms_driver_delay") if _open(d) else None,
        ),
    )


def _lines(text: str) -> tuple[str, ...]:
    """A rendered text as the lines the agent reads in turn; blank lines dropped."""
    return tuple(filter(None, map(str.strip, text.splitlines())))


def _fare_adjusted(d: Decision) -> bool:
    """The "요금조정 완료" SMS: only once a ride is re-linked at a new amount."""
    return d.outcome is Outcome.RECONNECT and d.fares.changed


def _open(d: Decision) -> bool:
    """The agent still has something to process with both people (the call-back and delay
    SMS): a reconnection, or a block this call can clear. Not a refusal, a referral, a
    decline (all told on the call) or a block nothing on this call clears."""
    return d.outcome is Outcome.RECONNECT or (
        d.outcome is Outcome.BLOCKED and d.unclearable is None
    )


def _warnings(d: Decision) -> tuple[AgentWarning, ...]:
    """Each warning's code and text; the amounts are formatted once, if a text names one."""
    values: dict[str, str] | None = None
    warnings = []
    for code in d.warnings:
        message = WARNING_TEXT[code]
        if code in _NAMES_AMOUNTS:
            values = values or _warning_values(d)
            message = message.format(**values)
        warnings.append(AgentWarning(code, message))
    return tuple(warnings)


_NAMES_AMOUNTS = frozenset(code for code, text in WARNING_TEXT.items() if "{" in text)


def _warning_values(d: Decision) -> dict[str, str]:
    fares, won = d.fares, format_won
    bounds = agreed_band(fares, d.band) or (0, 0)
    return {
        "route_km": route_km(d.route_m),
        "consented": won(fares.consented),
        "refund": won(d.payment.refund_amount or 0),
        "agreed": won(fares.adjusted),
        "adjusted": won(fares.adjusted),
        "original": won(fares.original),
        "estimate": won(fares.estimate.fare) if fares.estimate else "",
        "minimum": won(fares.estimate.minimum_fare) if fares.estimate else "",
        "low": won(bounds[0]),
        "high": won(bounds[1]),
    }


def seoul_date(at: datetime) -> str:
    """``M월 D일`` of the call (``1월 5일``), in Seoul whatever zone it was given in."""
    local = at.astimezone(SEOUL)
    return f"{local.month}월 {local.day}일"  # strftime costs ~4 us with Hangul


def route_km(route_m: int | None) -> str:
    """``172.4km``; empty when no route was measured."""
    return "" if route_m is None else f"{route_m / 1000:,.1f}km"


def template_context(d: Decision, *, support_phone: str | None = None) -> dict[str, Any]:
    """Every variable any template may use (see ``templates.ALLOWED``); amounts formatted."""
    call, fares, payment, linked = d.call, d.fares, d.payment, d.payment_once_linked
    return {
        "outcome": d.outcome.value,
        "blockers": [b.value for b in d.blockers],
        "blocker_labels": [b.label for b in d.blockers],
        "unclearable": d.unclearable.value if d.unclearable else "",
        "call_type": call.type.value,
        "call_type_label": call.type.label,
        "state": call.state.value,
        "state_label": call.state.label,
        "payment": call.payment.value,
        "payment_label": call.payment.label,
        "driving_started": call.driving_started,
        "driver_present": d.checks.driver_present,
        "insured": d.insured,
        "confirm_stops": WarningCode.CONFIRM_STOPS in d.warnings,
        "route_km": route_km(d.route_m),
        "fare_changed": fares.changed,
        "route_changed": fares.route_changed,
        "adjustment": fares.adjustment,
        "fare_source": fares.source.value,
        "original_fare": format_won(fares.original),
        "adjusted_fare": format_won(fares.adjusted),
        "agreed_amount": format_won(fares.adjusted),
        "consented_fare": format_won(fares.consented),
        "fare_delta": _signed_won(fares.adjusted - fares.original),
        "action": payment.action.value,
        "amount": format_won(payment.amount),
        "cancel_amount": _won_or_empty(payment.cancel_amount),
        "refund_amount": _won_or_empty(payment.refund_amount),
        "when": payment.when.value if payment.when else "",
        "linked_action": linked.action.value,
        "linked_amount": format_won(linked.amount),
        "linked_cancel_amount": _won_or_empty(linked.cancel_amount),
        "date": seoul_date(call.requested_at),
        "origin": call.origin_name,
        "destination": d.change.new_destination_name or call.destination_name,
        "original_destination": call.destination_name,
        "waypoints": list(d.change.added_waypoint_names),
        "original_call_id": call.id,
        "forced_call_id": d.forced_call_id or UNKNOWN_FORCED_ID,
        "reason": d.notes.reason or "",
        "agent_name": d.notes.agent_name or "",
        "support_phone": support_phone or "",
    }


def _won_or_empty(amount: int | None) -> str:
    return "" if amount is None else format_won(amount)


def _signed_won(amount: int) -> str:
    return format_won(amount) if amount < 0 else "+" + format_won(amount)
