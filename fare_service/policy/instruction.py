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
    W.DRIVER_NOT_PRESENT: "기사가 고객과 함께 있지 않습니다. 이 안내는 '기사 함께 O' 기준이니 "
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


def instruct(d: Decision, templates: TemplateSet) -> Instruction:
    """Word a decision: every text comes from ``templates``, every number from ``d``."""
    render = templates.renderer(template_context(d))
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
        admin_steps=tuple(
            line.strip() for line in render("admin_steps").splitlines() if line.strip()
        ),
        memo=Memo(
            original_call=render("memo_original_call"),
            forced_call=render("memo_forced_call") if d.outcome is Outcome.RECONNECT else None,
        ),
        scripts=Scripts(customer=render("customer_script"), driver=render("driver_script")),
        sms=Sms(
            fare_adjusted=render("sms_fare_adjusted"),
            customer_unreachable=render("sms_customer_unreachable"),
            driver_delay=render("sms_driver_delay"),
        ),
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
        "agreed": won(fares.adjusted),
        "adjusted": won(fares.adjusted),
        "original": won(fares.original),
        "estimate": won(fares.estimate.fare) if fares.estimate else "",
        "minimum": won(fares.estimate.minimum_fare) if fares.estimate else "",
        "low": won(bounds[0]),
        "high": won(bounds[1]),
    }


def seoul_date(at: datetime) -> str:
    """``MM월 DD일`` of the call, in Seoul whatever zone it was given in."""
    local = at.astimezone(SEOUL)
    return f"{local.month:02d}월 {local.day:02d}일"  # strftime costs ~4 us with Hangul


def template_context(d: Decision) -> dict[str, Any]:
    """Every variable any template may use (see ``templates.ALLOWED``); amounts formatted."""
    call, fares, payment = d.call, d.fares, d.payment
    return {
        "outcome": d.outcome.value,
        "blockers": [b.value for b in d.blockers],
        "blocker_labels": [b.label for b in d.blockers],
        "call_type": call.type.value,
        "call_type_label": call.type.label,
        "state": call.state.value,
        "state_label": call.state.label,
        "payment": call.payment.value,
        "payment_label": call.payment.label,
        "driving_started": call.driving_started,
        "driver_present": d.checks.driver_present,
        "insured": d.insured,
        "fare_changed": fares.changed,
        "route_changed": fares.route_changed,
        "adjustment": fares.adjustment,
        "fare_source": fares.source.value,
        "original_fare": format_won(fares.original),
        "adjusted_fare": format_won(fares.adjusted),
        "agreed_amount": format_won(fares.adjusted),
        "fare_delta": _signed_won(fares.adjusted - fares.original),
        "action": payment.action.value,
        "amount": format_won(payment.amount),
        "cancel_amount": "" if payment.cancel_amount is None else format_won(payment.cancel_amount),
        "when": payment.when.value if payment.when else "",
        "date": seoul_date(call.requested_at),
        "origin": call.origin_name,
        "destination": d.change.new_destination_name or call.destination_name,
        "original_destination": call.destination_name,
        "waypoints": list(d.change.added_waypoint_names),
        "original_call_id": call.id,
        "forced_call_id": d.forced_call_id or UNKNOWN_FORCED_ID,
    }


def _signed_won(amount: int) -> str:
    return format_won(amount) if amount < 0 else "+" + format_won(amount)
