"""SPEC's payment table as data, one row per row, each citing the guide: what a decided
case pays, how much and when (``rules.decide`` picks the outcome first).

Read top to bottom: the first row whose key columns all match is the case's row.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace

from fare_service.policy.models import (
    Call,
    CallRole,
    CallState,
    Decision,
    FareMove,
    Fares,
    Outcome,
    Payment,
    PaymentAction,
    PaymentMethod,
    PaymentTiming,
)

BLOCKED, RECONNECT, DECLINE = Outcome.BLOCKED, Outcome.RECONNECT, Outcome.DECLINE


@dataclass(frozen=True)
class PaymentRow:
    """``None`` in a key column matches anything; ``fare`` matches the consented fare's
    :class:`FareMove` against the original; ``amount`` and ``refund`` name a
    :class:`Fares` field (``zero`` for none)."""

    outcome: Outcome
    state: CallState | None
    payment: PaymentMethod | None
    fare: FareMove | None
    driving_started: bool | None
    action: PaymentAction
    amount: str
    when: PaymentTiming | None
    guide: str
    refund: str = "zero"


P, A = PaymentRow, PaymentAction
CANCELLED, COMPLETED = CallState.CANCELLED_AFTER_ASSIGNMENT, CallState.COMPLETED
CARD, CASH, ANY = PaymentMethod.CARD, PaymentMethod.CASH, None
AFTER, ARRIVAL = PaymentTiming.AFTER_RIDE, PaymentTiming.ON_ARRIVAL
REFER = Outcome.REFER_TO_SITUATION_ROOM
SAME, CHANGED = FareMove.SAME, FareMove.CHANGED
UP, DOWN = FareMove.UP, FareMove.DOWN

# fmt: off
PAYMENTS: tuple[PaymentRow, ...] = (
    # outcome    state      pay   fare     driven action                 amount       when
    P(RECONNECT, CANCELLED, CARD, SAME,    ANY,   A.FORCE_CHARGE,        "original",  AFTER,
      "1️⃣-2 ① 배정후취소·요금조정 X: [원콜] 운행 강제 결제"),
    P(RECONNECT, CANCELLED, CARD, CHANGED, ANY,   A.FORCE_CHARGE,        "adjusted",  AFTER,
      "1️⃣-2 ② 배정후취소·요금조정 O: [원콜] 운행 강제 결제 (조정 요금)"),
    P(RECONNECT, COMPLETED, CARD, SAME,    ANY,   A.ALREADY_PAID,        "zero",      None,
      "1️⃣-2 ③ 운행완료·요금조정 X: 이미 결제됨"),
    P(RECONNECT, COMPLETED, CARD, CHANGED, ANY,   A.CANCEL_AND_RECHARGE, "adjusted",  AFTER,
      "1️⃣-2 ④ 운행완료·요금조정 O: 운행 완료 후 취소 후 재결제"),
    P(RECONNECT, ANY,       CASH, SAME,    ANY,   A.CASH_COLLECT,        "original",  ARRIVAL,
      "3️⃣ A1-④ⓑ / A2-②ⓑ 현금 콜: 도착 후 현금 수령"),
    P(RECONNECT, ANY,       CASH, CHANGED, ANY,   A.CASH_COLLECT,        "adjusted",  ARRIVAL,
      "3️⃣ A1-⑤ⓑ / A2-③ⓑ 현금 콜: 조정 요금 현금 수령"),
    P(DECLINE,   ANY,       ANY,  ANY,     False, A.NONE,                "zero",      None,
      "2️⃣-② 위탁콜·운행 전: 운행하지 않음, 고객은 새로 호출"),
    # A completed card call was charged the original fare: never ask for it twice.
    P(DECLINE,   COMPLETED, CARD, SAME,    True,  A.ALREADY_PAID,        "zero",      None,
      "2️⃣-② 위탁콜·운행완료·카드: 원래 요금 결제됨, 다시 받지 않음"),
    P(DECLINE,   COMPLETED, CARD, UP,      True,  A.CASH_COLLECT,  "above_original",  ARRIVAL,
      "2️⃣-② 위탁콜·운행완료·카드: 결제된 요금을 넘는 차액만 현금 수령"),
    P(DECLINE,   COMPLETED, CARD, DOWN,    True,  A.NONE,                "zero",      None,
      "2️⃣-② 위탁콜·운행완료·카드: 합의 요금을 넘게 결제된 차액은 상황실 통해 환불",
      refund="below_original"),
    P(DECLINE,   ANY,       ANY,  ANY,     True,  A.CASH_COLLECT,        "consented", ARRIVAL,
      "2️⃣-② 위탁콜·이미 운행 (결제 전): 보험 처리 불가, 현금 수령 안내"),
    P(BLOCKED,   ANY,       ANY,  ANY,     ANY,   A.NONE,                "zero",      None,
      "SPEC 4: 막힌 조건을 모두 해결하기 전에는 결제 지시 없음"),
    P(REFER,     ANY,       ANY,  ANY,     ANY,   A.NONE,                "zero",      None,
      "2️⃣-② 제휴콜·탁송제휴콜: 상황실에서 처리"),
)
# fmt: on


def payment_row(d: Decision) -> PaymentRow:
    """The first row whose key columns all match the decision."""
    return _row_for(d.outcome, d.call, d.fares)


def _row_for(outcome: Outcome, call: Call, fares: Fares) -> PaymentRow:
    return _first_payment_row((outcome, call.state, call.payment, fares.move, call.driving_started))


@functools.cache  # at most 4 x 2 x 2 x 3 x 2 keys
def _first_payment_row(key: tuple[object, ...]) -> PaymentRow:
    for row in PAYMENTS:
        wanted = (row.outcome, row.state, row.payment, row.fare, row.driving_started)
        if all(_matches(w, k) for w, k in zip(wanted, key, strict=True)):
            return row
    raise AssertionError(f"no payment row for {key}")  # the table covers every key


def _matches(wanted: object, key: object) -> bool:
    if isinstance(wanted, FareMove) and isinstance(key, FareMove):
        return bool(wanted & key)
    return wanted is None or wanted == key


def payment_for(outcome: Outcome, call: Call, fares: Fares) -> Payment:
    """The payment row's instruction, with its amounts; keyed by parts, not a Decision."""
    row = _row_for(outcome, call, fares)
    recharge = row.action is A.CANCEL_AND_RECHARGE
    refund = _won(fares, row.refund)
    return Payment(
        action=row.action,
        amount=_won(fares, row.amount),
        cancel_amount=fares.original if recharge else None,
        when=row.when,
        on_call=CallRole.ORIGINAL if outcome is RECONNECT else None,
        refund_amount=refund or None,
    )


def _won(fares: Fares, name: str) -> int:
    return 0 if name == "zero" else int(getattr(fares, name))


def once_linked(outcome: Outcome, call: Call, fares: Fares, payment: Payment) -> Payment:
    """What a blocked case will pay once its clearable blockers are cleared (the customer
    having agreed to the adjusted fare): the texts say it before the driver consents."""
    if outcome is not BLOCKED:
        return payment
    return payment_for(RECONNECT, call, replace(fares, consented=fares.adjusted))
