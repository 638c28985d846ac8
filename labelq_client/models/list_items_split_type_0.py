from typing import Literal

ListItemsSplitType0 = Literal["eval", "train"]

LIST_ITEMS_SPLIT_TYPE_0_VALUES: set[ListItemsSplitType0] = {
    "eval",
    "train",
}


def check_list_items_split_type_0(value: str) -> ListItemsSplitType0:
    if value in LIST_ITEMS_SPLIT_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {LIST_ITEMS_SPLIT_TYPE_0_VALUES!r}"
    )
