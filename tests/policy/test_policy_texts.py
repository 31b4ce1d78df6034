"""The issue's cases, one by one: what the agent reads for them, and the free-text cleaning."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
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

from fare_service.policy import CallState, CallType, Change, TemplateSet, WarningCode
from fare_service.policy.models import Notes, PaymentMethod
from fare_service.policy.text import clean_text

COMPLETED = CallState.COMPLETED


def test_a_call_reconnected_once_never_offers_to_reconnect(templates: TemplateSet) -> None:
    """reconnections_so_far=1 with the customer re-calling: the once-only rule wins, and
    no line asks to cancel the new call as if that would help."""
    checks = make_checks(reconnections_so_far=1, customer_recalling=True, driver_consent=False)
    result = build_instruction(make_call(), NO_CHANGE, checks, None, templates)
    customer, driver = said(result.scripts.customer), said(result.scripts.driver)
    steps = "\n".join(result.admin_steps)
    assert "새로 호출" in customer and "새로 호출" in driver and "새로 호출" in steps
    for text in (customer, driver, steps):
        assert "'호출 취소'" not in text and "바로 다시 연결" not in text
    assert "다시 연결해 드려도 될까요" not in driver
    assert result.sms.customer_unreachable is None and result.sms.driver_delay is None


def test_an_absent_driver_gets_the_other_procedure_not_a_reconnection(
    templates: TemplateSet,
) -> None:
    checks = make_checks(driver_present=False)
    result = build_instruction(make_call(), NO_CHANGE, checks, None, templates)
    assert result.outcome == "blocked" and result.blockers == ("driver_not_present",)
    assert "(기사 함께 X) 고객_강제재연결 요청" in "\n".join(result.admin_steps)
    assert "(기사 함께 X)" in result.headline and "(기사 함께 X)" in result.memo.original_call
    assert result.scripts.driver == ()  # no hand-off, no driver call on this procedure
    assert "바꿔 주시겠어요" not in said(result.scripts.customer)
    assert "재연결 (기사·고객 동의)" not in result.memo.original_call


def test_a_blocked_case_tells_the_customer_the_amount_before_the_driver_agrees(
    templates: TemplateSet,
) -> None:
    checks = make_checks(driver_consent=False)
    result = build_instruction(
        make_call(state=COMPLETED), new_destination(), checks, make_estimate(), templates
    )
    customer = said(result.scripts.customer)
    assert "31,000원으로 조정돼요" in customer
    assert "25,000원은 취소하고" in customer and "31,000원을 다시 결제" in customer
    assert result.scripts.customer[-1] == "기사님과 통화할 수 있게 잠시 바꿔 주시겠어요?"
    assert result.payment.action == "none"  # nothing is charged until it is cleared


def test_the_opening_asks_the_guides_questions_in_order(templates: TemplateSet) -> None:
    result = build_instruction(
        make_call(), new_destination(), make_checks(), make_estimate(), templates
    )
    opening = result.scripts.opening
    assert "놀라셨" in opening[0] and opening[1].endswith("본인이신가요?")
    assert opening[-3] == "혹시 경유지 추가나 목적지 변경이 있을까요?"
    assert opening[-2] == "혹시 기사님과 합의하신 요금이 있으면 말씀해 주시겠어요?"
    assert "예상 요금은 31,000원이에요" in opening[-1]
    completed = build_instruction(
        make_call(state=COMPLETED), NO_CHANGE, make_checks(), None, templates
    )
    assert (
        completed.scripts.opening[-1]
        == "실례지만, 운행 중에 경유지 추가나 목적지 변경이 있었을까요?"
    )


@pytest.mark.parametrize("call_type", [CallType.PARTNER, CallType.PARTNER_DELIVERY])
def test_partner_texts_agree_with_the_admin_steps_in_the_customers_words(
    templates: TemplateSet, call_type: CallType
) -> None:
    result = build_instruction(make_call(type=call_type), NO_CHANGE, make_checks(), None, templates)
    steps, customer = "\n".join(result.admin_steps), said(result.scripts.customer)
    # both say: the customer contacts the desk running the call, and is told how
    assert "상황실로 문의하도록 안내" in steps and "연락 방법을 알려 줍니다" in steps
    assert "문의해 주시면" in customer and "연락 방법을 알려 드릴게요" in customer
    assert "전달하겠습니다" not in customer  # no promise the desk will call them
    assert not any(word in customer for word in ("상황실", "제휴콜", "탁송제휴콜"))
    assert result.admin_steps[-1] == "아지트를 작성합니다."
    assert [w.code for w in result.warnings] == [WarningCode.WRITE_TICKET]


def test_memos_say_only_what_happened(templates: TemplateSet) -> None:
    cash = build_instruction(
        make_call(payment=PaymentMethod.CASH), NO_CHANGE, make_checks(), None, templates
    )
    assert cash.memo.forced_call is not None
    assert "합의" not in cash.memo.forced_call and "원콜에서 진행" not in cash.memo.forced_call
    assert "앱 결제 없음" in cash.memo.forced_call and "기사 동행" not in cash.memo.original_call
    agreed = build_instruction(
        make_call(), Change(agreed_fare=28_000), make_checks(), None, templates
    )
    assert agreed.memo.forced_call is not None and "합의 요금 28,000원" in agreed.memo.forced_call
    estimated = build_instruction(
        make_call(), new_destination(), make_checks(), make_estimate(), templates
    )
    assert "합의" not in (estimated.memo.forced_call or "")
    assert "예상 요금, 양측 동의" in estimated.memo.original_call


def test_the_agents_notes_reach_the_memo_the_admin_step_and_the_greeting(
    templates: TemplateSet,
) -> None:
    notes = Notes(reason="앱 조작\n실수로\t취소", agent_name="  김상담 ")
    result = build_instruction(make_call(), NO_CHANGE, make_checks(), None, templates, notes=notes)
    assert "사유: 앱 조작 실수로 취소" in result.memo.original_call
    assert "사유를 적습니다: 앱 조작 실수로 취소" in "\n".join(result.admin_steps)
    assert result.scripts.driver[0] == "안녕하세요, 고객센터 상담사 김상담입니다."
    assert "앱 조작 실수로 취소" not in said(result.scripts.customer)


def test_the_call_back_sms_names_the_number_only_when_one_is_set(templates: TemplateSet) -> None:
    def sms(phone: str | None) -> str:
        result = build_instruction(
            make_call(), NO_CHANGE, make_checks(), None, templates, support_phone=phone
        )
        assert result.sms.customer_unreachable is not None
        return result.sms.customer_unreachable

    assert "고객센터(1599-9400)로 연락" in sms("1599-9400")
    assert "고객센터로 연락" in sms(None)


def test_a_long_route_puts_the_stops_first_in_the_headline(templates: TemplateSet) -> None:
    result = build_instruction(
        make_call(),
        new_destination(),
        make_checks(),
        make_estimate(),
        templates,
        route_m=486_600,
        max_route_m=150_000,
    )
    assert result.headline.startswith("경로 486.6km: 경유지와 목적지를 다시 확인하세요 · ")
    assert result.warnings[0].code is WarningCode.CONFIRM_STOPS
    assert "486.6km" in result.warnings[0].message


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("앱 조작 실수", "앱 조작 실수"),
        ("  앱\t조작\r\n\n실수 ", "앱 조작 실수"),
        ("김\x00상담\x1b[31m", "김 상담 [31m"),
        ("역삼동\u00a0\u00a0 1가", "역삼동 1가"),
        ("\n\t ", ""),
    ],
)
def test_free_text_loses_control_characters_and_runs_of_spaces(text: str, cleaned: str) -> None:
    assert clean_text(text) == cleaned


@given(st.text())
def test_cleaned_text_is_one_line_of_single_spaces(text: str) -> None:
    cleaned = clean_text(text)
    assert not any(unicodedata.category(ch) == "Cc" for ch in cleaned)
    assert "  " not in cleaned and cleaned == cleaned.strip()
    assert clean_text(cleaned) == cleaned
