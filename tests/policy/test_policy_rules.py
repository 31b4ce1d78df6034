"""The decision: SPEC's payment table row by row, the refusals, and every blocker.

Amounts are worked from the inputs: the original call is 25,000 won; the changed fare is
31,000 won, so the delta is +6,000 won.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from policy_factories import (
    NO_CHANGE,
    ORIGINAL_FARE,
    make_call,
    make_checks,
    make_estimate,
    new_destination,
)

from fare_service.errors import BadInput
from fare_service.policy import Blocker, CallState, CallType, Change, Outcome, PaymentAction, decide
from fare_service.policy.models import PaymentMethod, PaymentTiming, WarningCode

CANCELLED, COMPLETED = CallState.CANCELLED_AFTER_ASSIGNMENT, CallState.COMPLETED
CARD, CASH = PaymentMethod.CARD, PaymentMethod.CASH
NEW_FARE = 31_000

SPEC_TABLE = [
    # state, payment, fare changed?, action, amount, cancel_amount, when
    (CANCELLED, CARD, False, PaymentAction.FORCE_CHARGE, 25_000, None, "after_ride"),
    (CANCELLED, CARD, True, PaymentAction.FORCE_CHARGE, 31_000, None, "after_ride"),
    (COMPLETED, CARD, False, PaymentAction.ALREADY_PAID, 0, None, None),
    (COMPLETED, CARD, True, PaymentAction.CANCEL_AND_RECHARGE, 31_000, 25_000, "after_ride"),
    (CANCELLED, CASH, False, PaymentAction.CASH_COLLECT, 25_000, None, "on_arrival"),
    (COMPLETED, CASH, False, PaymentAction.CASH_COLLECT, 25_000, None, "on_arrival"),
    (CANCELLED, CASH, True, PaymentAction.CASH_COLLECT, 31_000, None, "on_arrival"),
    (COMPLETED, CASH, True, PaymentAction.CASH_COLLECT, 31_000, None, "on_arrival"),
]


@pytest.mark.parametrize(
    ("state", "payment", "changed", "action", "amount", "cancel_amount", "when"), SPEC_TABLE
)
def test_every_row_of_the_spec_payment_table(
    state: CallState,
    payment: PaymentMethod,
    changed: bool,
    action: PaymentAction,
    amount: int,
    cancel_amount: int | None,
    when: str | None,
) -> None:
    change = new_destination(agreed_fare=NEW_FARE) if changed else NO_CHANGE
    call = make_call(state=state, payment=payment)
    d = decide(call, change, make_checks(), make_estimate(fare=28_000) if changed else None)
    assert d.outcome is Outcome.RECONNECT and d.blockers == ()
    assert (d.payment.action, d.payment.amount, d.payment.cancel_amount) == (
        action,
        amount,
        cancel_amount,
    )
    assert d.payment.when == (PaymentTiming(when) if when else None)
    assert d.payment.on_call == "original"
    assert d.insured is True
    assert d.fares.adjusted == (NEW_FARE if changed else ORIGINAL_FARE)


def test_without_an_agreed_fare_the_estimate_for_the_changed_route_is_charged() -> None:
    call = make_call(state=COMPLETED)
    d = decide(call, new_destination(), make_checks(), make_estimate(fare=28_500))
    assert d.fares.adjusted == 28_500 and d.fares.source == "estimate"
    assert (d.payment.amount, d.payment.cancel_amount) == (28_500, 25_000)


def test_an_unchanged_call_has_its_original_fare_as_adjusted_fare() -> None:
    d = decide(make_call(), NO_CHANGE, make_checks(), make_estimate(fare=99_000))
    assert (d.fares.adjusted, d.fares.changed, d.fares.route_changed) == (25_000, False, False)


@pytest.mark.parametrize("call_type", [CallType.PARTNER, CallType.PARTNER_DELIVERY])
def test_partner_calls_go_to_the_situation_room_and_nothing_else(call_type: CallType) -> None:
    checks = make_checks(driver_consent=False, driver_on_duty=False)
    d = decide(make_call(type=call_type), NO_CHANGE, checks, None)
    assert d.outcome is Outcome.REFER_TO_SITUATION_ROOM
    assert d.blockers == () and d.payment.action is PaymentAction.NONE and d.payment.amount == 0
    assert d.insured is False
    assert d.warnings == (WarningCode.WRITE_TICKET,)  # the ticket, whatever the outcome


def test_consigned_before_driving_declines_with_no_payment() -> None:
    d = decide(
        make_call(type=CallType.CONSIGNED, driving_started=False), NO_CHANGE, make_checks(), None
    )
    assert d.outcome is Outcome.DECLINE and d.blockers == ()
    assert (d.payment.action, d.payment.amount, d.payment.when) == (PaymentAction.NONE, 0, None)
    assert d.insured is False


def test_consigned_after_driving_declines_and_the_driver_collects_cash_uninsured() -> None:
    d = decide(make_call(type=CallType.CONSIGNED), NO_CHANGE, make_checks(), None)
    assert d.outcome is Outcome.DECLINE and d.insured is False
    assert (d.payment.action, d.payment.amount) == (PaymentAction.CASH_COLLECT, 25_000)
    assert d.payment.when is PaymentTiming.ON_ARRIVAL and d.payment.on_call is None
    assert WarningCode.NOT_INSURED in d.warnings


def test_consigned_cash_is_the_changed_fare_only_once_the_customer_agreed() -> None:
    call = make_call(type=CallType.CONSIGNED)
    agreed = decide(call, new_destination(agreed_fare=NEW_FARE), make_checks(), None)
    not_agreed = decide(
        call, new_destination(agreed_fare=NEW_FARE), make_checks(customer_consent=False), None
    )
    assert agreed.payment.amount == 31_000
    assert not_agreed.payment.amount == 25_000
    assert WarningCode.FARE_CHANGE_NOT_AGREED in not_agreed.warnings


def test_unverified_identity_blocks_everything_else() -> None:
    checks = make_checks(identity_verified=False, driver_consent=False, customer_recalling=True)
    for call_type in CallType:
        d = decide(make_call(type=call_type), NO_CHANGE, checks, None)
        assert (d.outcome, d.blockers) == (Outcome.BLOCKED, (Blocker.IDENTITY_NOT_VERIFIED,))
        assert d.payment.action is PaymentAction.NONE
        assert d.warnings == (WarningCode.WRITE_TICKET,)


ALONE = [
    ({"driver_consent": False}, NO_CHANGE, Blocker.DRIVER_CONSENT_REQUIRED),
    (
        {"customer_consent": False},
        new_destination(agreed_fare=NEW_FARE),
        Blocker.CUSTOMER_CONSENT_REQUIRED,
    ),
    ({"reconnections_so_far": 1}, NO_CHANGE, Blocker.ALREADY_RECONNECTED),
    ({"reconnections_so_far": 3}, NO_CHANGE, Blocker.ALREADY_RECONNECTED),
    ({"customer_recalling": True}, NO_CHANGE, Blocker.CUSTOMER_RECALLING),
    ({"driver_on_duty": False}, NO_CHANGE, Blocker.DRIVER_OFF_DUTY),
]


@pytest.mark.parametrize(("checks", "change", "blocker"), ALONE)
def test_each_blocker_alone(checks: dict, change: Change, blocker: Blocker) -> None:
    d = decide(make_call(), change, make_checks(**checks), make_estimate())
    assert (d.outcome, d.blockers) == (Outcome.BLOCKED, (blocker,))
    assert d.payment.action is PaymentAction.NONE and d.insured is False
    # Driving before the link is uninsured; once-only means the link never comes.
    never = blocker is Blocker.ALREADY_RECONNECTED
    assert (WarningCode.NO_DRIVING_UNTIL_LINKED in d.warnings) is not never
    assert (WarningCode.NOT_INSURED in d.warnings) is never


def test_customer_consent_is_not_needed_when_nothing_changes() -> None:
    d = decide(make_call(), NO_CHANGE, make_checks(customer_consent=False), None)
    assert d.outcome is Outcome.RECONNECT


def test_every_unmet_precondition_is_reported_at_once_in_spec_order() -> None:
    checks = make_checks(
        driver_consent=False,
        customer_consent=False,
        reconnections_so_far=1,
        customer_recalling=True,
        driver_on_duty=False,
    )
    d = decide(make_call(), new_destination(), checks, make_estimate(fare=28_500))
    assert d.outcome is Outcome.BLOCKED
    assert d.blockers == (
        Blocker.DRIVER_CONSENT_REQUIRED,
        Blocker.CUSTOMER_CONSENT_REQUIRED,
        Blocker.ALREADY_RECONNECTED,
        Blocker.CUSTOMER_RECALLING,
        Blocker.DRIVER_OFF_DUTY,
    )
    assert d.fares.adjusted == 28_500  # the quote is still computed


def test_two_blockers_together() -> None:
    checks = make_checks(customer_recalling=True, driver_on_duty=False)
    d = decide(make_call(), NO_CHANGE, checks, None)
    assert d.blockers == (Blocker.CUSTOMER_RECALLING, Blocker.DRIVER_OFF_DUTY)


def test_a_changed_route_at_the_same_amount_still_needs_the_customer() -> None:
    change = new_destination(agreed_fare=ORIGINAL_FARE)
    call = make_call(state=COMPLETED)
    blocked = decide(call, change, make_checks(customer_consent=False), make_estimate())
    agreed = decide(call, change, make_checks(), make_estimate())
    assert blocked.blockers == (Blocker.CUSTOMER_CONSENT_REQUIRED,)
    assert agreed.payment.action is PaymentAction.ALREADY_PAID and agreed.payment.amount == 0
    assert WarningCode.SAME_AMOUNT_ON_CHANGED_ROUTE in agreed.warnings


def test_an_absent_driver_blocks_before_any_other_rule() -> None:
    """The guide is the "기사 함께 O" article: without the driver it does not apply, call
    types and the other checks included; nothing else is asked (nothing can clear it)."""
    checks = make_checks(driver_present=False, driver_consent=False, customer_recalling=True)
    for call_type in CallType:
        d = decide(make_call(type=call_type), NO_CHANGE, checks, None)
        assert (d.outcome, d.blockers) == (Outcome.BLOCKED, (Blocker.DRIVER_NOT_PRESENT,))
        assert d.payment.action is PaymentAction.NONE and not d.insured
        assert d.warnings[0] is WarningCode.DRIVER_NOT_PRESENT
        assert WarningCode.NO_DRIVING_UNTIL_LINKED not in d.warnings
    unverified = decide(make_call(), NO_CHANGE, make_checks(identity_verified=False), None)
    assert unverified.blockers == (Blocker.IDENTITY_NOT_VERIFIED,)  # identity comes first


def test_a_completed_call_that_was_never_driven_is_refused() -> None:
    with pytest.raises(BadInput) as caught:
        make_call(state=COMPLETED, driving_started=False)
    assert caught.value.field == "call.driving_started"


# A consigned call driven and completed by card was charged 25,000 won already.
CONSIGNED_COMPLETED_CARD = [
    # agreed fare, action, amount (cash on arrival), refund
    (None, PaymentAction.ALREADY_PAID, 0, None),
    (ORIGINAL_FARE, PaymentAction.ALREADY_PAID, 0, None),
    (NEW_FARE, PaymentAction.CASH_COLLECT, NEW_FARE - ORIGINAL_FARE, None),  # 6,000
    (22_000, PaymentAction.NONE, 0, ORIGINAL_FARE - 22_000),  # 3,000 back
]


@pytest.mark.parametrize(("agreed", "action", "amount", "refund"), CONSIGNED_COMPLETED_CARD)
def test_a_consigned_completed_card_call_is_never_charged_twice(
    agreed: int | None, action: PaymentAction, amount: int, refund: int | None
) -> None:
    call = make_call(type=CallType.CONSIGNED, state=COMPLETED)
    change = Change(agreed_fare=agreed)
    d = decide(call, change, make_checks(), None)
    assert d.outcome is Outcome.DECLINE and not d.insured
    assert (d.payment.action, d.payment.amount, d.payment.refund_amount) == (action, amount, refund)
    assert ORIGINAL_FARE + d.payment.amount - (refund or 0) == (agreed or ORIGINAL_FARE)
    assert (WarningCode.REFUND_DIFFERENCE in d.warnings) is (refund is not None)


def test_a_consigned_completed_card_call_keeps_the_charge_when_the_customer_did_not_agree() -> None:
    call = make_call(type=CallType.CONSIGNED, state=COMPLETED)
    d = decide(call, Change(agreed_fare=NEW_FARE), make_checks(customer_consent=False), None)
    assert (d.payment.action, d.payment.amount) == (PaymentAction.ALREADY_PAID, 0)
    assert WarningCode.FARE_CHANGE_NOT_AGREED in d.warnings


def test_a_blocked_case_knows_what_it_will_pay_once_cleared() -> None:
    checks = make_checks(driver_consent=False, customer_consent=False)
    d = decide(make_call(state=COMPLETED), new_destination(), checks, make_estimate())
    assert d.payment.action is PaymentAction.NONE
    linked = d.payment_once_linked
    assert (linked.action, linked.amount, linked.cancel_amount) == (
        PaymentAction.CANCEL_AND_RECHARGE,
        31_000,
        ORIGINAL_FARE,
    )


@pytest.mark.parametrize(("route_m", "warned"), [(150_000, False), (150_001, True), (None, False)])
def test_a_route_longer_than_a_ride_asks_to_confirm_the_stops(
    route_m: int | None, warned: bool
) -> None:
    d = decide(
        make_call(),
        new_destination(),
        make_checks(),
        make_estimate(),
        route_m=route_m,
        max_route_m=150_000,
    )
    assert (WarningCode.CONFIRM_STOPS in d.warnings) is warned
    if warned:
        assert d.warnings[0] is WarningCode.CONFIRM_STOPS


def test_bad_inputs_name_their_field() -> None:
    cases = [
        (lambda: decide(make_call(), new_destination(), make_checks(), None), "estimate"),
        (lambda: make_call(requested_at=datetime(2026, 11, 18, 23, 10)), "call.requested_at"),
        (lambda: make_call(fare=-1), "call.fare"),
        (lambda: Change(agreed_fare=-5), "change.agreed_fare"),
        (lambda: make_checks(reconnections_so_far=-1), "checks.reconnections_so_far"),
        (lambda: make_estimate(fare=30_000, low=31_000), "estimate"),
        (lambda: decide(make_call(), NO_CHANGE, make_checks(), None, band=(0.1, 0.5)), "band"),
    ]
    for make, field in cases:
        with pytest.raises(BadInput) as caught:
            make()
        assert caught.value.field == field
