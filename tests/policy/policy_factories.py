"""Small keyword-only factories for the policy tests: one ordinary case, changed by keyword.

The ordinary case: a general own call of 25,000 won, cancelled after assignment, paid by
card, every check passed, nothing changed.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from fare_service.policy import (
    Call,
    CallState,
    CallType,
    Change,
    Checks,
    Estimate,
    Instruction,
    TemplateSet,
    decide,
    instruct,
)
from fare_service.policy.models import Notes, PaymentMethod

KST = timezone(timedelta(hours=9))
ORIGINAL_FARE = 25_000


def make_call(**overrides: Any) -> Call:
    values: dict[str, Any] = {
        "id": "C20261118-0001",
        "type": CallType.OWN_GENERAL,
        "state": CallState.CANCELLED_AFTER_ASSIGNMENT,
        "payment": PaymentMethod.CARD,
        "fare": ORIGINAL_FARE,
        "requested_at": datetime(2026, 11, 18, 23, 10, tzinfo=KST),
        "origin_name": "강남구 역삼동",
        "destination_name": "분당구 정자동",
        "driving_started": True,
    }
    return Call(**(values | overrides))


def make_checks(**overrides: Any) -> Checks:
    values: dict[str, Any] = {
        "identity_verified": True,
        "driver_present": True,
        "driver_consent": True,
        "customer_consent": True,
        "reconnections_so_far": 0,
        "customer_recalling": False,
        "driver_on_duty": True,
    }
    return Checks(**(values | overrides))


def make_estimate(*, fare: int = 31_000, **overrides: Any) -> Estimate:
    values: dict[str, Any] = {"fare": fare, "low": fare, "high": fare, "minimum_fare": 15_000}
    return Estimate(**(values | overrides))


def new_destination(*, agreed_fare: int | None = None) -> Change:
    return Change(new_destination_name="분당구 서현동", agreed_fare=agreed_fare)


NO_CHANGE = Change()


def customer_texts(instruction: Instruction) -> dict[str, str]:
    """What the customer hears or reads, by field path; lists joined, absent SMS left out."""
    scripts, sms = instruction.scripts, instruction.sms
    texts = {
        "scripts.opening": "\n".join(scripts.opening),
        "scripts.customer": "\n".join(scripts.customer),
        "sms.fare_adjusted": sms.fare_adjusted,
        "sms.customer_unreachable": sms.customer_unreachable,
    }
    return {where: text for where, text in texts.items() if text is not None}


def spoken_texts(instruction: Instruction) -> dict[str, str]:
    """What anyone outside the centre hears or reads: the customer's and the driver's."""
    texts = customer_texts(instruction) | {
        "scripts.driver": "\n".join(instruction.scripts.driver),
        "sms.driver_delay": instruction.sms.driver_delay,
    }
    return {where: text for where, text in texts.items() if text is not None}


def all_texts(instruction: Instruction) -> dict[str, str]:
    """Every rendered text by its field path, the lists joined."""
    texts = spoken_texts(instruction) | {
        "headline": instruction.headline,
        "category": instruction.category,
        "memo.original_call": instruction.memo.original_call,
        "memo.forced_call": instruction.memo.forced_call or "",
        "admin_steps": "\n".join(instruction.admin_steps),
    }
    return texts | {f"warnings.{w.code}": w.message for w in instruction.warnings}


def said(lines: tuple[str, ...]) -> str:
    """A script's lines as the agent reads them, one after the other."""
    return "\n".join(lines)


def build_instruction(
    call: Call,
    change: Change,
    checks: Checks,
    estimate: Estimate | None,
    templates: TemplateSet,
    *,
    forced_call_id: str | None = None,
    band: tuple[float, float] = (-0.30, 0.50),
    notes: Notes | None = None,
    route_m: int | None = None,
    max_route_m: int | None = None,
    support_phone: str | None = None,
) -> Instruction:
    """:func:`decide` then :func:`instruct`, as ``service.adjusting`` calls them."""
    decision = decide(
        call,
        change,
        checks,
        estimate,
        forced_call_id=forced_call_id,
        band=band,
        notes=notes,
        route_m=route_m,
        max_route_m=max_route_m,
    )
    return instruct(decision, templates, support_phone=support_phone)
