from typing import Literal

CheckpointOutStatus = Literal["ready", "rejected", "validating"]

CHECKPOINT_OUT_STATUS_VALUES: set[CheckpointOutStatus] = {
    "ready",
    "rejected",
    "validating",
}


def check_checkpoint_out_status(value: str) -> CheckpointOutStatus:
    if value in CHECKPOINT_OUT_STATUS_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {CHECKPOINT_OUT_STATUS_VALUES!r}"
    )
