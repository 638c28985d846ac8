from typing import Literal

PoolOutDomain = Literal["source", "target"]

POOL_OUT_DOMAIN_VALUES: set[PoolOutDomain] = {
    "source",
    "target",
}


def check_pool_out_domain(value: str) -> PoolOutDomain:
    if value in POOL_OUT_DOMAIN_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {POOL_OUT_DOMAIN_VALUES!r}"
    )
