from typing import Literal

PoolOutSplit = Literal["eval", "train"]

POOL_OUT_SPLIT_VALUES: set[PoolOutSplit] = {
    "eval",
    "train",
}


def check_pool_out_split(value: str) -> PoolOutSplit:
    if value in POOL_OUT_SPLIT_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {POOL_OUT_SPLIT_VALUES!r}"
    )
