from typing import Literal

UploadCompleteInDomain = Literal["source", "target"]

UPLOAD_COMPLETE_IN_DOMAIN_VALUES: set[UploadCompleteInDomain] = {
    "source",
    "target",
}


def check_upload_complete_in_domain(value: str) -> UploadCompleteInDomain:
    if value in UPLOAD_COMPLETE_IN_DOMAIN_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {UPLOAD_COMPLETE_IN_DOMAIN_VALUES!r}"
    )
