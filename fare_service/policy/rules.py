"""The reconnection rules as tables a support lead can check line by line against the guide.

Sections cited are the guide's (``shared/seeds/000_61f5fafe3ed2582a.txt``): 1️⃣ 가이드,
2️⃣ 정책 및 참고사항, 3️⃣ 스크립트 / Q&A. The order is SPEC's: identity, then the call
types that are never re-linked, then every unmet precondition at once, then payment.

Three tables, read top to bottom: ``GATES`` (who is served, and what blocks a
reconnection), ``payments.PAYMENTS`` (SPEC's payment table, one row per row, in its own
module) and ``WARNINGS`` (what the agent must be told). :func:`decide` only walks them; it
has no rule of its own.

Two readings the guide leaves open, decided here:

- A changed route at the *same* amount is still a fare adjustment for consent: the guide's
  "요금조정 O" question is "경유지 추가나 목적지 변경이 있을까요?", and a real dispute began
  with a verbal "same amount" on a changed destination. Payment follows the amount only:
  nothing is cancelled and re-charged for the same amount.
- ``driver_present`` false ends the decision right after identity (``driver_not_present``):
  the guide is the "기사 함께 O" article, 1️⃣-2 asks "기사와 함께 있는지" before anything
  else, and its 관련링크 sends the other case to its own article, call types included.
- A consigned call that was completed and paid by card was charged the original fare: the
  customer pays only the difference above it in cash, and gets back (through the situation
  room) what was charged above the fare they agreed to; never the whole fare twice.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal
from fractions import Fraction
from typing import Any

from fare_service.errors import BadInput
from fare_service.policy.models import (
    Blocker,
    Call,
    CallType,
    Change,
    Checks,
    Decision,
    Estimate,
    Fares,
    FareSource,
    Notes,
    Outcome,
    PaymentAction,
)
from fare_service.policy.models import WarningCode as W
from fare_service.policy.payments import once_linked, payment_for

Test = Callable[[Decision], bool]
PARTNER_TYPES = frozenset({CallType.PARTNER, CallType.PARTNER_DELIVERY})


@dataclass(frozen=True)
class Gate:
    """A row that ends the decision (``final``) or adds a blocker to the list."""

    applies: Test
    outcome: Outcome
    blocker: Blocker | None
    final: bool
    guide: str


BLOCKED, RECONNECT, DECLINE = Outcome.BLOCKED, Outcome.RECONNECT, Outcome.DECLINE

# fmt: off
GATES: tuple[Gate, ...] = (
    Gate(lambda d: not d.checks.identity_verified,
         BLOCKED, Blocker.IDENTITY_NOT_VERIFIED, True,
         "3️⃣ A1-② 본인확인 필수 (본인이 아닌 경우 상담제한)"),
    Gate(lambda d: not d.checks.driver_present,
         BLOCKED, Blocker.DRIVER_NOT_PRESENT, True,
         "1️⃣-2 응대 순서: 기사와 함께 있는지 탐색 → 함께 X는 관련링크 '(기사 함께 X)' 가이드"),
    Gate(lambda d: d.call.type in PARTNER_TYPES,
         Outcome.REFER_TO_SITUATION_ROOM, None, True,
         "2️⃣-② 강제재연결 불가 기준: 제휴콜·탁송제휴콜 → 상황실로 문의 안내"),
    Gate(lambda d: d.call.type is CallType.CONSIGNED,
         DECLINE, None, True,
         "2️⃣-② 강제재연결 불가 기준: 위탁콜 (운행 전: 새로 호출 / 운행 후: 현금 수령)"),
    Gate(lambda d: not d.checks.driver_consent,
         BLOCKED, Blocker.DRIVER_CONSENT_REQUIRED, False,
         "1️⃣-4 주의사항: 기사 동의 확인 전까지는 강제재연결 금지"),
    Gate(lambda d: d.fares.adjustment and not d.checks.customer_consent,
         BLOCKED, Blocker.CUSTOMER_CONSENT_REQUIRED, False,
         "1️⃣-4 주의사항: 요금조정 시 기사/고객 모두 동의 확인"),
    Gate(lambda d: d.checks.reconnections_so_far >= 1,
         BLOCKED, Blocker.ALREADY_RECONNECTED, False,
         "1️⃣-2 ①~④: 강제연결은 한 번만 가능"),
    Gate(lambda d: d.checks.customer_recalling,
         BLOCKED, Blocker.CUSTOMER_RECALLING, False,
         "2️⃣-② 고객이 재호출 중이면 앱에서 '호출 취소' 요청 후 재시도"),
    Gate(lambda d: not d.checks.driver_on_duty,
         BLOCKED, Blocker.DRIVER_OFF_DUTY, False,
         "2️⃣-③ 어드민 경로: 기사앱이 출근 상태일 때만 재연결 가능"),
)
# fmt: on


def _served(d: Decision) -> bool:
    """Someone is talking this case through: not refused for identity, not sent away."""
    return d.checks.identity_verified and d.outcome is not Outcome.REFER_TO_SITUATION_ROOM


def _may_link_later(d: Decision) -> bool:
    """Blocked only by what the agent can clear on this call (consents, re-calling, duty)."""
    return d.outcome is BLOCKED and d.unclearable is None


def _fare_pending(d: Decision) -> bool:
    """A fare will be charged or collected now or once the blockers are cleared."""
    if d.outcome is DECLINE:
        return d.call.driving_started
    return d.outcome is RECONNECT or _may_link_later(d)


def agreed_band(fares: Fares, band: tuple[float, float]) -> tuple[int, int] | None:
    """Whole won an agreed fare may lie in around the estimate (inclusive), or None.

    Exact: the band's shares are read as the decimals they were written as (-0.3 is
    3/10 off, not the float nearest it), so the bounds are integer divisions.
    """
    if fares.estimate is None:
        return None
    fare = fares.estimate.fare
    (low_num, low_den), (high_num, high_den) = _factor(band[0]), _factor(band[1])
    return -(-fare * low_num // low_den), fare * high_num // high_den  # ceiling, floor


@functools.cache
def _factor(share: float) -> tuple[int, int]:
    """``1 + share`` as a fraction in lowest terms, from the share's decimal text."""
    factor = 1 + Fraction(Decimal(str(share)))
    return factor.numerator, factor.denominator


def _outside_band(d: Decision) -> bool:
    bounds, agreed = agreed_band(d.fares, d.band), d.change.agreed_fare
    return agreed is not None and bounds is not None and not bounds[0] <= agreed <= bounds[1]


def _below_minimum(d: Decision) -> bool:
    agreed, estimate = d.change.agreed_fare, d.fares.estimate
    return agreed is not None and estimate is not None and agreed < estimate.minimum_fare


def _charged_later(d: Decision) -> bool:
    return d.payment.action in (PaymentAction.FORCE_CHARGE, PaymentAction.CANCEL_AND_RECHARGE)


# fmt: off
WARNINGS: tuple[tuple[W, Test, str], ...] = (
    (W.CONFIRM_STOPS, lambda d: _fare_pending(d) and d.long_route,
     "이 서비스의 추가 점검: 대리운전으로 보기 어려운 거리 — 잘못 고른 경유지·목적지"),
    (W.DRIVER_NOT_PRESENT, lambda d: Blocker.DRIVER_NOT_PRESENT in d.blockers,
     "관련링크: [전화] (기사 함께 X) 고객_강제재연결 요청 — 이 안내는 '기사 함께 O' 기준"),
    (W.REFUND_DIFFERENCE, lambda d: bool(d.payment.refund_amount),
     "2️⃣-② 위탁콜 + 결제된 요금 > 합의 요금: 차액 환불 (상황실)"),
    (W.AGREED_FARE_OUTSIDE_BAND, lambda d: _fare_pending(d) and _outside_band(d),
     "이 서비스의 추가 점검: 합의 요금이 예상 요금에서 크게 벗어남"),
    (W.AGREED_FARE_BELOW_MINIMUM, lambda d: _fare_pending(d) and _below_minimum(d),
     "이 서비스의 추가 점검: 합의 요금이 요금표 최저 요금 미만"),
    (W.SAME_AMOUNT_ON_CHANGED_ROUTE,
     lambda d: _fare_pending(d) and d.fares.route_changed and not d.fares.changed,
     "1️⃣-4 요금조정 시 기사/고객 모두 동의 — '같은 금액' 구두 합의 분쟁 사례"),
    (W.FARE_CHANGE_NOT_AGREED,
     lambda d: d.outcome is DECLINE and _fare_pending(d) and d.fares.consented != d.fares.adjusted,
     "1️⃣-4 요금조정 시 기사/고객 모두 동의 확인"),
    (W.NO_DRIVING_UNTIL_LINKED, _may_link_later,
     "2️⃣-① 연결 없이 운행 시 무보험 운행 / 3️⃣ A2-② 연결된 이후 운행"),
    (W.NOT_INSURED,
     lambda d: d.outcome is DECLINE or d.unclearable is Blocker.ALREADY_RECONNECTED,
     "2️⃣-① 연결 없이 운행 시 무보험 / 2️⃣-② 위탁콜: 보험 처리 불가"),
    (W.METER_NOT_RUNNING, lambda d: d.outcome is RECONNECT or _may_link_later(d),
     "1️⃣-4 강제 배정 시 미터기 정상 작동하지 않음"),
    (W.LINK_ONCE, lambda d: d.outcome is RECONNECT,
     "1️⃣-2 ①~④ 강제연결 한번만 가능 앱조작 유의 안내"),
    (W.CHARGE_TAKES_TIME, lambda d: d.outcome is RECONNECT and _charged_later(d),
     "1️⃣-2 ①②④ 운행완료 시 결제 시간소요 안내"),
    (W.PAY_ON_ORIGINAL_CALL, lambda d: d.outcome is RECONNECT,
     "1️⃣-4 결제는 [원콜]에서 진행 / 2️⃣-③ 원콜에서 요금결제"),
    (W.WRITE_TICKET, lambda d: True,
     "1️⃣-4 아지트 필수 작성 (모든 결과)"),
    (W.AVOID_TERM, _served,
     "1️⃣-4 \"강제재연결\" 용어 사용 지양"),
)
# fmt: on


def gate(d: Decision) -> tuple[Outcome, tuple[Blocker, ...]]:
    """The outcome and every unmet precondition, walking ``GATES`` in order."""
    blockers: list[Blocker] = []
    for row in GATES:
        if not row.applies(d):
            continue
        if row.final:
            return row.outcome, (row.blocker,) if row.blocker else ()
        if row.blocker:
            blockers.append(row.blocker)
    return (BLOCKED, tuple(blockers)) if blockers else (RECONNECT, ())


def warnings_for(d: Decision) -> tuple[W, ...]:
    return tuple(code for code, applies, _ in WARNINGS if applies(d))


def fares_for(call: Call, change: Change, checks: Checks, estimate: Estimate | None) -> Fares:
    """3️⃣ A1-⑤ / A2-③: the agreed fare first; without one, the calculator's estimate."""
    if change.agreed_fare is not None:
        adjusted, source = change.agreed_fare, FareSource.AGREED
    elif change.route_changed and estimate is not None:
        adjusted, source = estimate.fare, FareSource.ESTIMATE
    elif change.route_changed:
        raise BadInput("a changed route needs an estimate or an agreed fare", field="estimate")
    else:
        adjusted, source = call.fare, FareSource.ORIGINAL
    fares = Fares(call.fare, adjusted, adjusted, source, change.route_changed, estimate)
    if fares.adjustment and not checks.customer_consent:
        fares = replace(fares, consented=call.fare)
    return fares


def decide(
    call: Call,
    change: Change,
    checks: Checks,
    estimate: Estimate | None,
    *,
    forced_call_id: str | None = None,
    band: tuple[float, float] = (-0.30, 0.50),
    notes: Notes | None = None,
    route_m: int | None = None,
    max_route_m: int | None = None,
) -> Decision:
    """Walk the three tables; pure, and the quote is kept even when blocked.

    ``route_m`` is the longest of the routes priced for this call, ``max_route_m`` the
    longest a designated-driver ride may be before the stops need confirming. Raises
    :class:`BadInput` when the route changed with neither an estimate nor an agreed fare,
    or when ``band`` does not straddle 0.
    """
    if not band[0] <= 0 <= band[1]:
        raise BadInput("the agreed-fare band must be (low <= 0, high >= 0)", field="band")
    fares = fares_for(call, change, checks, estimate)

    def step(**decided: Any) -> Decision:
        """The decision so far, by the constructor: replace() cost ~5 us a call."""
        return Decision(
            call=call,
            change=change,
            checks=checks,
            fares=fares,
            band=band,
            forced_call_id=forced_call_id,
            notes=notes or Notes(),
            route_m=route_m,
            max_route_m=max_route_m,
            **decided,
        )

    outcome, blockers = gate(step())
    payment = payment_for(outcome, call, fares)
    decided = {
        "outcome": outcome,
        "blockers": blockers,
        "payment": payment,
        "payment_once_linked": once_linked(outcome, call, fares, payment),
    }
    return step(**decided, warnings=warnings_for(step(**decided)))
