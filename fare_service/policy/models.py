"""The agent's situation (inputs), the decision and the instruction, as frozen values.

Inputs are frozen plain data built by the API layer: this package never parses requests
and never prices a route (the changed route's quote arrives as an :class:`Estimate`). The
wire codes live in ``codes.py`` and are re-exported here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from fare_service.errors import BadInput
from fare_service.policy.codes import (
    UNCLEARABLE,
    Blocker,
    CallRole,
    CallState,
    CallType,
    FareMove,
    FareSource,
    Outcome,
    PaymentAction,
    PaymentMethod,
    PaymentTiming,
    WarningCode,
)
from fare_service.policy.text import clean_text

__all__ = [
    "UNCLEARABLE",
    "AgentWarning",
    "Blocker",
    "Call",
    "CallRole",
    "CallState",
    "CallType",
    "Change",
    "Checks",
    "Decision",
    "Estimate",
    "FareMove",
    "FareSource",
    "Fares",
    "Instruction",
    "Memo",
    "Notes",
    "Outcome",
    "Payment",
    "PaymentAction",
    "PaymentMethod",
    "PaymentTiming",
    "Scripts",
    "Sms",
    "WarningCode",
]


def _require(ok: bool, field_path: str, detail: str) -> None:
    if not ok:
        raise BadInput(detail, field=field_path)


@dataclass(frozen=True, slots=True)
class Call:
    """The original call (원콜) as the admin tool shows it; ``fare`` in won."""

    id: str
    type: CallType
    state: CallState
    payment: PaymentMethod
    fare: int
    requested_at: datetime
    origin_name: str
    destination_name: str
    driving_started: bool

    def __post_init__(self) -> None:
        _require(self.fare >= 0, "call.fare", "must be 0 won or more")
        _require(self.requested_at.utcoffset() is not None, "call.requested_at", "needs a zone")
        _require(
            self.driving_started or self.state is not CallState.COMPLETED,
            "call.driving_started",
            "a completed call (운행완료) was driven: driving_started must be true",
        )
        # Place names are said aloud and sent by SMS: no control characters reach a text.
        object.__setattr__(self, "origin_name", clean_text(self.origin_name))
        object.__setattr__(self, "destination_name", clean_text(self.destination_name))


@dataclass(frozen=True, slots=True)
class Change:
    """What changed on the way. All empty means "요금조정 X"."""

    new_destination_name: str | None = None
    added_waypoint_names: tuple[str, ...] | list[str] = field(default=())
    agreed_fare: int | None = None

    def __post_init__(self) -> None:
        names = tuple(clean_text(name) for name in self.added_waypoint_names)
        object.__setattr__(self, "added_waypoint_names", names)
        if self.new_destination_name is not None:
            object.__setattr__(self, "new_destination_name", clean_text(self.new_destination_name))
        ok = self.agreed_fare is None or self.agreed_fare >= 0
        _require(ok, "change.agreed_fare", "must be 0 won or more")

    @property
    def route_changed(self) -> bool:
        return bool(self.new_destination_name) or bool(self.added_waypoint_names)


@dataclass(frozen=True, slots=True)
class Checks:
    """The guide's checks, in its order (응대 순서, 가이드 1️⃣-2)."""

    identity_verified: bool
    driver_present: bool
    driver_consent: bool
    customer_consent: bool
    reconnections_so_far: int
    customer_recalling: bool
    driver_on_duty: bool

    def __post_init__(self) -> None:
        _require(self.reconnections_so_far >= 0, "checks.reconnections_so_far", "must be >= 0")


@dataclass(frozen=True, slots=True)
class Estimate:
    """The API's quote for the changed route, in won, priced at the call's time."""

    fare: int
    low: int
    high: int
    minimum_fare: int

    def __post_init__(self) -> None:
        ok = 0 <= self.low <= self.fare <= self.high and self.minimum_fare >= 0
        _require(ok, "estimate", "needs 0 <= low <= fare <= high and minimum_fare >= 0")


@dataclass(frozen=True, slots=True)
class Fares:
    """The amounts in play, in won; ``adjusted`` equals ``original`` when nothing changed.

    ``consented`` is what may be asked of the customer: the adjusted fare once they agreed
    to it (or when there is nothing to agree to), else the original fare.
    """

    original: int
    adjusted: int
    consented: int
    source: FareSource
    route_changed: bool
    estimate: Estimate | None

    @property
    def changed(self) -> bool:
        """The amount differs: what the payment table keys on."""
        return self.adjusted != self.original

    @property
    def adjustment(self) -> bool:
        """The guide's "요금조정 O": the route or the amount changed; needs both consents."""
        return self.route_changed or self.changed

    @property
    def move(self) -> FareMove:
        """The consented fare against the original: what a payment row keys on."""
        if self.consented == self.original:
            return FareMove.SAME
        return FareMove.UP if self.consented > self.original else FareMove.DOWN

    @property
    def above_original(self) -> int:
        """What the consented fare adds to a charge already made (0 when lower)."""
        return max(self.consented - self.original, 0)

    @property
    def below_original(self) -> int:
        """What a charge already made exceeds the consented fare by (0 when higher)."""
        return max(self.original - self.consented, 0)


@dataclass(frozen=True, kw_only=True)
class Payment:
    """What to do about money, on which call and when; amounts in won."""

    action: PaymentAction
    amount: int
    cancel_amount: int | None = None
    when: PaymentTiming | None = None
    on_call: CallRole | None = None
    refund_amount: int | None = None
    """Won to give back through the situation room (a charge above the consented fare)."""


@dataclass(frozen=True)
class AgentWarning:
    code: WarningCode
    message: str


@dataclass(frozen=True)
class Memo:
    """Operations memos; ``forced_call`` is None when no forced call is made."""

    original_call: str
    forced_call: str | None


@dataclass(frozen=True)
class Scripts:
    """What the agent reads, line by line, in the call's order: the opening questions,
    then the customer, then the driver (empty when the agent does not call the driver)."""

    opening: tuple[str, ...]
    customer: tuple[str, ...]
    driver: tuple[str, ...]


@dataclass(frozen=True)
class Sms:
    """Each text only where it applies, else None (see ``instruction.py``)."""

    fare_adjusted: str | None
    customer_unreachable: str | None
    driver_delay: str | None


@dataclass(frozen=True, kw_only=True)
class Instruction:
    """Everything the agent needs for one case. Amounts in won.

    ``adjusted_fare`` is never None: it equals ``original_fare`` when nothing changed, so
    ``fare_delta`` is 0. ``fare_changed`` means the amount differs (the payment table's
    "fare changed?"); ``route_changed`` means a new destination or waypoint, which needs
    the customer's consent even at the same amount. ``agreed_amount`` equals
    ``adjusted_fare``: the amount to say aloud to both sides and to put in the SMS, always.
    """

    outcome: Outcome
    blockers: tuple[Blocker, ...]
    original_fare: int
    adjusted_fare: int
    fare_delta: int
    fare_changed: bool
    route_changed: bool
    agreed_amount: int
    insured: bool
    payment: Payment
    warnings: tuple[AgentWarning, ...]
    headline: str
    category: str
    admin_steps: tuple[str, ...]
    memo: Memo
    scripts: Scripts
    sms: Sms


NO_PAYMENT = Payment(action=PaymentAction.NONE, amount=0)


@dataclass(frozen=True, slots=True)
class Notes:
    """The agent's own words for the texts, cleaned of control characters and runs of
    spaces: the reason (memo and admin step) and the agent's name (driver greeting)."""

    reason: str | None = None
    agent_name: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "reason", clean_text(self.reason or "") or None)
        object.__setattr__(self, "agent_name", clean_text(self.agent_name or "") or None)


NO_NOTES = Notes()


@dataclass(frozen=True, slots=True)
class Decision:
    """What the rules decided, before any wording; built step by step by ``rules.decide``."""

    call: Call
    change: Change
    checks: Checks
    fares: Fares
    band: tuple[float, float]
    forced_call_id: str | None = None
    notes: Notes = NO_NOTES
    route_m: int | None = None
    max_route_m: int | None = None
    outcome: Outcome = Outcome.BLOCKED
    blockers: tuple[Blocker, ...] = ()
    payment: Payment = NO_PAYMENT
    payment_once_linked: Payment = NO_PAYMENT
    warnings: tuple[WarningCode, ...] = ()

    @property
    def insured(self) -> bool:
        """Insurance follows a live linked call only (가이드 2️⃣-①)."""
        return self.outcome is Outcome.RECONNECT

    @property
    def unclearable(self) -> Blocker | None:
        """The first blocker present that nothing on this call can clear, if any."""
        return next((b for b in UNCLEARABLE if b in self.blockers), None)

    @property
    def long_route(self) -> bool:
        """A route longer than a designated-driver ride: probably a stop picked wrong."""
        limit = self.max_route_m
        return self.route_m is not None and limit is not None and self.route_m > limit
