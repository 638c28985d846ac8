from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ItemOut")


@_attrs_define
class ItemOut:
    """
    Attributes:
        id (int):
        external_id (str):
        pool_id (int):
        domain (str):
        split (str):
        label (int | None):
        label_source (None | str):
        labeled_at (datetime.datetime | None):
    """

    id: int
    external_id: str
    pool_id: int
    domain: str
    split: str
    label: int | None
    label_source: None | str
    labeled_at: datetime.datetime | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        external_id = self.external_id

        pool_id = self.pool_id

        domain = self.domain

        split = self.split

        label: int | None
        label = self.label

        label_source: None | str
        label_source = self.label_source

        labeled_at: None | str
        if isinstance(self.labeled_at, datetime.datetime):
            labeled_at = self.labeled_at.isoformat()
        else:
            labeled_at = self.labeled_at

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "external_id": external_id,
                "pool_id": pool_id,
                "domain": domain,
                "split": split,
                "label": label,
                "label_source": label_source,
                "labeled_at": labeled_at,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        external_id = d.pop("external_id")

        pool_id = d.pop("pool_id")

        domain = d.pop("domain")

        split = d.pop("split")

        def _parse_label(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        label = _parse_label(d.pop("label"))

        def _parse_label_source(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        label_source = _parse_label_source(d.pop("label_source"))

        def _parse_labeled_at(data: object) -> datetime.datetime | None:
            if data is None:
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                labeled_at_type_0 = datetime.datetime.fromisoformat(data)

                return labeled_at_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None, data)

        labeled_at = _parse_labeled_at(d.pop("labeled_at"))

        item_out = cls(
            id=id,
            external_id=external_id,
            pool_id=pool_id,
            domain=domain,
            split=split,
            label=label,
            label_source=label_source,
            labeled_at=labeled_at,
        )

        item_out.additional_properties = d
        return item_out

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
