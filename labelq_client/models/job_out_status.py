from typing import Literal

JobOutStatus = Literal["cancelled", "failed", "queued", "running", "succeeded"]

JOB_OUT_STATUS_VALUES: set[JobOutStatus] = {
    "cancelled",
    "failed",
    "queued",
    "running",
    "succeeded",
}


def check_job_out_status(value: str) -> JobOutStatus:
    if value in JOB_OUT_STATUS_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {JOB_OUT_STATUS_VALUES!r}"
    )
