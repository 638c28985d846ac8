from typing import Literal

BodyUploadPoolSplit = Literal["eval", "train"]

BODY_UPLOAD_POOL_SPLIT_VALUES: set[BodyUploadPoolSplit] = {
    "eval",
    "train",
}


def check_body_upload_pool_split(value: str) -> BodyUploadPoolSplit:
    if value in BODY_UPLOAD_POOL_SPLIT_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {BODY_UPLOAD_POOL_SPLIT_VALUES!r}"
    )
