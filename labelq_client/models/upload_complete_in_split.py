from typing import Literal

UploadCompleteInSplit = Literal["eval", "train"]

UPLOAD_COMPLETE_IN_SPLIT_VALUES: set[UploadCompleteInSplit] = {
    "eval",
    "train",
}


def check_upload_complete_in_split(value: str) -> UploadCompleteInSplit:
    if value in UPLOAD_COMPLETE_IN_SPLIT_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {UPLOAD_COMPLETE_IN_SPLIT_VALUES!r}"
    )
