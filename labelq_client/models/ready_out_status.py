from typing import Literal

ReadyOutStatus = Literal["ok", "unavailable"]

READY_OUT_STATUS_VALUES: set[ReadyOutStatus] = {
    "ok",
    "unavailable",
}


def check_ready_out_status(value: str) -> ReadyOutStatus:
    if value in READY_OUT_STATUS_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {READY_OUT_STATUS_VALUES!r}"
    )
