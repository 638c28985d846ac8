from typing import Literal

ListItemsDomainType0 = Literal["source", "target"]

LIST_ITEMS_DOMAIN_TYPE_0_VALUES: set[ListItemsDomainType0] = {
    "source",
    "target",
}


def check_list_items_domain_type_0(value: str) -> ListItemsDomainType0:
    if value in LIST_ITEMS_DOMAIN_TYPE_0_VALUES:
        return value
    raise TypeError(
        f"Unexpected value {value!r}. Expected one of {LIST_ITEMS_DOMAIN_TYPE_0_VALUES!r}"
    )
