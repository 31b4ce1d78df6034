"""The policy's wire codes: enum values are SPEC.md's names and never change; ``label`` is
the Korean word the agent sees."""

from __future__ import annotations

from enum import Flag, StrEnum, auto


class _Labelled(StrEnum):
    @property
    def label(self) -> str:
        """The Korean word agents use for this code."""
        return _LABELS[self]


class CallType(_Labelled):
    OWN_GENERAL = "own_general"
    OWN_VIP = "own_vip"
    PARTNER = "partner"
    PARTNER_DELIVERY = "partner_delivery"
    CONSIGNED = "consigned"
    RESERVATION = "reservation"
    OTHER = "other"


class CallState(_Labelled):
    CANCELLED_AFTER_ASSIGNMENT = "cancelled_after_assignment"
    COMPLETED = "completed"


class PaymentMethod(_Labelled):
    CARD = "card"
    CASH = "cash"


class Outcome(StrEnum):
    RECONNECT = "reconnect"
    BLOCKED = "blocked"
    DECLINE = "decline"
    REFER_TO_SITUATION_ROOM = "refer_to_situation_room"


class Blocker(_Labelled):
    IDENTITY_NOT_VERIFIED = "identity_not_verified"
    DRIVER_NOT_PRESENT = "driver_not_present"
    DRIVER_CONSENT_REQUIRED = "driver_consent_required"
    CUSTOMER_CONSENT_REQUIRED = "customer_consent_required"
    ALREADY_RECONNECTED = "already_reconnected"
    CUSTOMER_RECALLING = "customer_recalling"
    DRIVER_OFF_DUTY = "driver_off_duty"


UNCLEARABLE = (
    Blocker.IDENTITY_NOT_VERIFIED,
    Blocker.DRIVER_NOT_PRESENT,
    Blocker.ALREADY_RECONNECTED,
)
"""Blockers nothing on this call can clear, in precedence: the texts follow the first one
present and never ask to fix the others (consents, re-calling, off duty)."""


class PaymentAction(StrEnum):
    FORCE_CHARGE = "force_charge"
    ALREADY_PAID = "already_paid"
    CANCEL_AND_RECHARGE = "cancel_and_recharge"
    CASH_COLLECT = "cash_collect"
    NONE = "none"


class PaymentTiming(StrEnum):
    AFTER_RIDE = "after_ride"
    ON_ARRIVAL = "on_arrival"


class CallRole(StrEnum):
    ORIGINAL = "original"  # payment is always on the original call (가이드 1️⃣-4)


class FareSource(StrEnum):
    ORIGINAL = "original"
    AGREED = "agreed"
    ESTIMATE = "estimate"


class FareMove(Flag):
    """How the fare the customer agreed to stands against the original fare."""

    SAME = auto()
    UP = auto()
    DOWN = auto()
    CHANGED = UP | DOWN


class WarningCode(StrEnum):
    CONFIRM_STOPS = "confirm_stops"
    DRIVER_NOT_PRESENT = "driver_not_present"
    REFUND_DIFFERENCE = "refund_difference"
    AGREED_FARE_OUTSIDE_BAND = "agreed_fare_outside_band"
    AGREED_FARE_BELOW_MINIMUM = "agreed_fare_below_minimum"
    SAME_AMOUNT_ON_CHANGED_ROUTE = "same_amount_on_changed_route"
    FARE_CHANGE_NOT_AGREED = "fare_change_not_agreed"
    NO_DRIVING_UNTIL_LINKED = "no_driving_until_linked"
    NOT_INSURED = "not_insured"
    METER_NOT_RUNNING = "meter_not_running"
    LINK_ONCE = "link_once"
    CHARGE_TAKES_TIME = "charge_takes_time"
    PAY_ON_ORIGINAL_CALL = "pay_on_original_call"
    WRITE_TICKET = "write_ticket"
    AVOID_TERM = "avoid_term"


_LABELS: dict[StrEnum, str] = {
    CallType.OWN_GENERAL: "자사콜(일반)",
    CallType.OWN_VIP: "자사콜(VIP)",
    CallType.PARTNER: "제휴콜",
    CallType.PARTNER_DELIVERY: "탁송제휴콜",
    CallType.CONSIGNED: "위탁콜",
    CallType.RESERVATION: "예약콜",
    CallType.OTHER: "기타",
    CallState.CANCELLED_AFTER_ASSIGNMENT: "배정후취소",
    CallState.COMPLETED: "운행완료",
    PaymentMethod.CARD: "카드",
    PaymentMethod.CASH: "현금",
    Blocker.IDENTITY_NOT_VERIFIED: "본인 확인",
    Blocker.DRIVER_NOT_PRESENT: "기사 동행",
    Blocker.DRIVER_CONSENT_REQUIRED: "기사 동의",
    Blocker.CUSTOMER_CONSENT_REQUIRED: "고객 요금 동의",
    Blocker.ALREADY_RECONNECTED: "이미 재연결된 콜",
    Blocker.CUSTOMER_RECALLING: "고객 재호출 중",
    Blocker.DRIVER_OFF_DUTY: "기사앱 출근 상태",
}
