"""Money values: ``Decimal`` to the fen, never float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

FEN = Decimal("0.01")
ZERO = Decimal("0.00")


def money(value: Decimal | str | int) -> Decimal:
    """``value`` as yuan with two places. Already-exact amounts pass unchanged; anything finer is
    rounded half-up (callers that split amounts quantize themselves, with their own rule)."""
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    return Decimal(value).quantize(FEN, rounding=ROUND_HALF_UP)
