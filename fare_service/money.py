"""Integer won: rounding by name and the Korean way of writing amounts.

Every amount that leaves the engine is an ``int`` of won. Rounding is never implicit:
a tariff names each rounding step (``unit`` and ``mode``) and the engine calls
:func:`round_to_unit` at exactly those steps.
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

import numpy as np
import numpy.typing as npt

Amount = TypeVar("Amount", int, npt.NDArray[np.int64])


class RoundingMode(StrEnum):
    UP = "up"
    DOWN = "down"
    HALF_UP = "half_up"


def round_to_unit(amount: Amount, unit: int, mode: RoundingMode) -> Amount:
    """Round non-negative integer amounts (won) to a multiple of ``unit`` won.

    ``half_up`` rounds a half away from zero, as Seoul's meters do (4,050 -> 4,100).
    Integer arithmetic only, so a boundary never slips through a float; the same
    operators serve one ``int`` and an int64 array.
    """
    if mode is RoundingMode.DOWN:
        return (amount // unit) * unit
    if mode is RoundingMode.UP:
        return -((-amount) // unit) * unit
    return ((2 * amount + unit) // (2 * unit)) * unit


def format_won(amount: int) -> str:
    """``30000`` -> ``"30,000원"`` (negative amounts keep their sign)."""
    return f"{int(amount):,}원"
