from typing import Literal

RoundOutStatus = Literal["cancelled", "closed", "failed", "pending", "ready", "scoring"]

ROUND_OUT_STATUS_VALUES: set[RoundOutStatus] = {
    "cancelled",
    "closed",
    "failed",
    "pending",
    "ready",
    "scoring",
}


def check_round_out_status(value: str) -> RoundOutStatus:
    if value in ROUND_OUT_STATUS_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {ROUND_OUT_STATUS_VALUES!r}"
    )
