from typing import Literal

BodyUploadPoolDomain = Literal["source", "target"]

BODY_UPLOAD_POOL_DOMAIN_VALUES: set[BodyUploadPoolDomain] = {
    "source",
    "target",
}


def check_body_upload_pool_domain(value: str) -> BodyUploadPoolDomain:
    if value in BODY_UPLOAD_POOL_DOMAIN_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {BODY_UPLOAD_POOL_DOMAIN_VALUES!r}"
    )
