"""The reconnection policy: the support guide's decision table and the words that go with it.

Pure: it never prices a route (the caller passes the estimate) and does no I/O but the
one-time template load. ``decide`` applies the rules (``rules.py``), ``instruct`` words
the decision with the template set (``instruction.py``, ``templates.py``).
"""

from fare_service.policy.instruction import instruct
from fare_service.policy.models import (
    AgentWarning,
    Blocker,
    Call,
    CallState,
    CallType,
    Change,
    Checks,
    Decision,
    Estimate,
    Instruction,
    Outcome,
    Payment,
    PaymentAction,
    PaymentMethod,
    WarningCode,
)
from fare_service.policy.rules import decide
from fare_service.policy.templates import TemplateSet

__all__ = [
    "AgentWarning",
    "Blocker",
    "Call",
    "CallState",
    "CallType",
    "Change",
    "Checks",
    "Decision",
    "Estimate",
    "Instruction",
    "Outcome",
    "Payment",
    "PaymentAction",
    "PaymentMethod",
    "TemplateSet",
    "WarningCode",
    "decide",
    "instruct",
]
