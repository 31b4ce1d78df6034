"""The worded instruction: warnings, SMS, headline, memo, admin steps and scripts."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from policy_factories import (
    NO_CHANGE,
    build_instruction,
    make_call,
    make_checks,
    make_estimate,
    new_destination,
    said,
)

from fare_service.policy import (
    CallState,
    CallType,
    Change,
    Instruction,
    TemplateSet,
    WarningCode,
)
from fare_service.policy.instruction import UNKNOWN_FORCED_ID
from fare_service.policy.models import PaymentMethod
from fare_service.policy.rules import agreed_band, decide

COMPLETED = CallState.COMPLETED


def codes(instruction: Instruction) -> list[WarningCode]:
    return [w.code for w in instruction.warnings]


@pytest.mark.parametrize(
    ("agreed", "warned"),
    # estimate 30,000: the default band -30 % / +50 % allows 21,000 to 45,000 won
    [(20_999, True), (21_000, False), (30_000, False), (45_000, False), (45_001, True)],
)
def test_an_agreed_fare_outside_the_band_is_flagged(
    templates: TemplateSet, agreed: int, warned: bool
) -> None:
    estimate = make_estimate(fare=30_000, minimum_fare=0)
    result = build_instruction(
        make_call(), new_destination(agreed_fare=agreed), make_checks(), estimate, templates
    )
    assert (WarningCode.AGREED_FARE_OUTSIDE_BAND in codes(result)) is warned
    if warned:
        message = result.warnings[0].message  # the first thing the agent reads
        assert f"{agreed:,}원" in message and "30,000원" in message
        assert "21,000원" in message and "45,000원" in message


def test_the_band_comes_from_the_caller(templates: TemplateSet) -> None:
    # +10 % of 30,000 is 33,000; 33,500 is outside a +/-10 % band, inside the default one
    change = new_destination(agreed_fare=33_500)
    estimate = make_estimate(fare=30_000)
    narrow = build_instruction(
        make_call(), change, make_checks(), estimate, templates, band=(-0.1, 0.1)
    )
    default = build_instruction(make_call(), change, make_checks(), estimate, templates)
    assert WarningCode.AGREED_FARE_OUTSIDE_BAND in codes(narrow)
    assert WarningCode.AGREED_FARE_OUTSIDE_BAND not in codes(default)


@pytest.mark.parametrize(
    ("fare", "band", "bounds"),
    [
        # 10,001 x 0.7 = 7,000.7 and x 1.5 = 15,001.5: rounded inward, to whole won
        (10_001, (-0.30, 0.50), (7_001, 15_001)),
        # 100 x 1.29 is 128.99999999999997 in floats; the band is read as written: 129
        (100, (-0.29, 0.29), (71, 129)),
        (30_000, (0.0, 0.0), (30_000, 30_000)),
        (1, (-1.0, 10.0), (0, 11)),
    ],
)
def test_the_band_bounds_are_exact_whole_won(
    fare: int, band: tuple[float, float], bounds: tuple[int, int]
) -> None:
    estimate = make_estimate(fare=fare, minimum_fare=0)
    d = decide(make_call(), new_destination(), make_checks(), estimate, band=band)
    assert agreed_band(d.fares, band) == bounds


def test_an_agreed_fare_below_the_tariff_minimum_is_flagged(templates: TemplateSet) -> None:
    estimate = make_estimate(fare=14_000, minimum_fare=15_000)
    result = build_instruction(
        make_call(), new_destination(agreed_fare=14_000), make_checks(), estimate, templates
    )
    assert codes(result)[0] is WarningCode.AGREED_FARE_BELOW_MINIMUM
    assert "14,000원" in result.warnings[0].message and "15,000원" in result.warnings[0].message


def test_the_sms_states_the_agreed_amount_date_and_places(templates: TemplateSet) -> None:
    # 2026-01-04 15:30 UTC is 2026-01-05 00:30 in Seoul: the SMS uses Seoul's date, written
    # as people write it ("1월 5일", not "01월 05일")
    call = make_call(requested_at=datetime(2026, 1, 4, 15, 30, tzinfo=UTC), state=COMPLETED)
    result = build_instruction(
        call, new_destination(agreed_fare=31_000), make_checks(), make_estimate(), templates
    )
    sms = result.sms
    assert sms.fare_adjusted is not None
    assert "31,000원" in sms.fare_adjusted and "25,000원" in sms.fare_adjusted
    for text in (sms.fare_adjusted, sms.customer_unreachable, sms.driver_delay):
        assert text is not None and "1월 5일 " in text and "01월" not in text
        assert "강남구 역삼동" in text and "분당구 서현동" in text


def test_a_same_amount_on_a_changed_route_is_still_spelled_out(templates: TemplateSet) -> None:
    result = build_instruction(
        make_call(state=COMPLETED),
        new_destination(agreed_fare=25_000),
        make_checks(),
        make_estimate(),
        templates,
    )
    assert result.agreed_amount == 25_000 and result.fare_changed is False
    assert result.route_changed is True
    assert result.sms.fare_adjusted is None  # nothing was adjusted: no "요금조정 완료" SMS
    assert "같은 25,000원" in said(result.scripts.customer)
    assert "같은 25,000원" in said(result.scripts.driver)
    assert WarningCode.SAME_AMOUNT_ON_CHANGED_ROUTE in codes(result)


def test_headline_fields_and_category_for_a_completed_card_call_with_a_new_fare(
    templates: TemplateSet,
) -> None:
    result = build_instruction(
        make_call(state=COMPLETED),
        new_destination(agreed_fare=31_000),
        make_checks(),
        make_estimate(),
        templates,
        forced_call_id="C20261118-0107",
    )
    assert result.headline == (
        "카드 · 운행완료 · 요금조정 → 기존 25,000원 결제 취소 후 31,000원 재결제 (운행 완료 후)"
    )
    assert (result.original_fare, result.adjusted_fare, result.fare_delta) == (
        25_000,
        31_000,
        6_000,
    )
    assert result.category == "대리_고객 ▶ 호출/운행 ▶ 강제재운행 ▶ 자사콜(일반)"
    assert {f.name for f in dataclasses.fields(result)} >= {
        "outcome",
        "blockers",
        "original_fare",
        "adjusted_fare",
        "fare_delta",
        "insured",
        "payment",
        "fare_changed",
        "agreed_amount",
        "warnings",
        "admin_steps",
        "category",
        "memo",
        "scripts",
        "sms",
        "headline",
    }
    assert {f.name for f in dataclasses.fields(result.payment)} == {
        "action",
        "amount",
        "cancel_amount",
        "when",
        "on_call",
        "refund_amount",
    }


def test_the_memos_cross_link_the_two_calls(templates: TemplateSet) -> None:
    known = build_instruction(
        make_call(), NO_CHANGE, make_checks(), None, templates, forced_call_id="F-77"
    )
    assert "F-77" in known.memo.original_call
    assert known.memo.forced_call is not None and "C20261118-0001" in known.memo.forced_call
    unknown = build_instruction(make_call(), NO_CHANGE, make_checks(), None, templates)
    assert UNKNOWN_FORCED_ID in unknown.memo.original_call
    assert "None" not in unknown.memo.original_call


def test_admin_steps_follow_the_guide_path_then_the_payment(templates: TemplateSet) -> None:
    result = build_instruction(make_call(), NO_CHANGE, make_checks(), None, templates)
    path = [
        "콜 목록",
        "기사 전화번호",
        "C20261118-0001",
        "'콜 상태 변경'",
        "실수 운행종료/배정후취소 콜강제 배정처리",
        "'콜 상태변경'",
        "운행 강제 결제",
    ]
    steps = "\n".join(result.admin_steps)
    positions = [steps.index(marker) for marker in path]
    assert positions == sorted(positions)
    assert "사유" in steps and "25,000원" in steps


@pytest.mark.parametrize(
    ("state", "payment", "change", "customer_says", "driver_says"),
    [
        (
            CallState.CANCELLED_AFTER_ASSIGNMENT,
            PaymentMethod.CARD,
            NO_CHANGE,
            "25,000원이 결제",
            "25,000원으로 결제하겠습니다",
        ),
        (COMPLETED, PaymentMethod.CARD, NO_CHANGE, "이미 결제", "이미 결제되었으니"),
        (
            COMPLETED,
            PaymentMethod.CARD,
            Change(agreed_fare=28_000),
            "25,000원은 취소하고, 처음 호출하신 건으로 28,000원을 다시 결제",
            "25,000원은 취소하고 28,000원으로 다시 결제",
        ),
        (COMPLETED, PaymentMethod.CASH, NO_CHANGE, "25,000원을 현금으로", "25,000원을 현금으로"),
        (
            CallState.CANCELLED_AFTER_ASSIGNMENT,
            PaymentMethod.CASH,
            Change(agreed_fare=28_000),
            "28,000원을 현금으로",
            "28,000원을 현금으로",
        ),
    ],
)
def test_the_scripts_fit_the_exact_case(
    templates: TemplateSet,
    state: CallState,
    payment: PaymentMethod,
    change: Change,
    customer_says: str,
    driver_says: str,
) -> None:
    call = make_call(state=state, payment=payment)
    result = build_instruction(call, change, make_checks(), None, templates)
    customer, driver = said(result.scripts.customer), said(result.scripts.driver)
    assert customer_says in customer and driver_says in driver
    assert "한 번만" in customer and "한 번만" in driver


def test_consigned_scripts_before_and_after_driving(templates: TemplateSet) -> None:
    before = build_instruction(
        make_call(type=CallType.CONSIGNED, driving_started=False),
        NO_CHANGE,
        make_checks(),
        None,
        templates,
    )
    after = build_instruction(
        make_call(type=CallType.CONSIGNED), NO_CHANGE, make_checks(), None, templates
    )
    assert "운행을 시작하지" in said(before.scripts.driver)
    assert "새로 호출" in said(before.scripts.customer)
    assert "25,000원을 현금으로" in said(after.scripts.driver)
    assert "보험" in said(after.scripts.customer)
    assert before.admin_steps and before.memo.forced_call is None


def test_a_recalling_customer_is_asked_to_cancel_the_new_call(templates: TemplateSet) -> None:
    result = build_instruction(
        make_call(), NO_CHANGE, make_checks(customer_recalling=True), None, templates
    )
    assert "'호출 취소'" in said(result.scripts.customer)
    assert any("재호출 중" in step for step in result.admin_steps)
    assert "고객 재호출 중" in result.headline


def test_the_instruction_warns_what_the_guide_requires(templates: TemplateSet) -> None:
    result = build_instruction(make_call(), NO_CHANGE, make_checks(), None, templates)
    assert {
        WarningCode.LINK_ONCE,
        WarningCode.METER_NOT_RUNNING,
        WarningCode.WRITE_TICKET,
        WarningCode.PAY_ON_ORIGINAL_CALL,
        WarningCode.AVOID_TERM,
        WarningCode.CHARGE_TAKES_TIME,
    } <= set(codes(result))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    original=st.integers(0, 2_000_000),
    agreed=st.integers(0, 2_000_000),
    state=st.sampled_from(CallState),
    payment=st.sampled_from(PaymentMethod),
)
def test_any_amounts_are_stated_as_agreed_and_add_up(
    templates: TemplateSet, original: int, agreed: int, state: CallState, payment: PaymentMethod
) -> None:
    call = make_call(fare=original, state=state, payment=payment)
    result = build_instruction(call, Change(agreed_fare=agreed), make_checks(), None, templates)
    assert result.fare_delta == agreed - original and result.agreed_amount == agreed
    assert f"{agreed:,}원" in said(result.scripts.customer)
    assert f"{agreed:,}원" in (result.sms.fare_adjusted or f"{agreed:,}원")
    assert result.fare_changed == (agreed != original)
    assert (result.sms.fare_adjusted is None) == (agreed == original)
