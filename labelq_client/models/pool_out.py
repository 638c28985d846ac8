from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.pool_out_domain import PoolOutDomain, check_pool_out_domain
from ..models.pool_out_split import PoolOutSplit, check_pool_out_split
from ..types import UNSET, Unset

T = TypeVar("T", bound="PoolOut")


@_attrs_define
class PoolOut:
    """
    Attributes:
        id (int):
        project_id (int):
        domain (PoolOutDomain):
        split (PoolOutSplit):
        status (str):
        filename (str):
        n_items (int):
        n_labeled (int):
        created_at (datetime.datetime):
        labels_hidden (bool | Unset): labels kept hidden for simulation mode Default: False.
    """

    id: int
    project_id: int
    domain: PoolOutDomain
    split: PoolOutSplit
    status: str
    filename: str
    n_items: int
    n_labeled: int
    created_at: datetime.datetime
    labels_hidden: bool | Unset = False
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        project_id = self.project_id

        domain: str = self.domain

        split: str = self.split

        status = self.status

        filename = self.filename

        n_items = self.n_items

        n_labeled = self.n_labeled

        created_at = self.created_at.isoformat()

        labels_hidden = self.labels_hidden

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "project_id": project_id,
                "domain": domain,
                "split": split,
                "status": status,
                "filename": filename,
                "n_items": n_items,
                "n_labeled": n_labeled,
                "created_at": created_at,
            }
        )
        if labels_hidden is not UNSET:
            field_dict["labels_hidden"] = labels_hidden

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        project_id = d.pop("project_id")

        domain = check_pool_out_domain(d.pop("domain"))

        split = check_pool_out_split(d.pop("split"))

        status = d.pop("status")

        filename = d.pop("filename")

        n_items = d.pop("n_items")

        n_labeled = d.pop("n_labeled")

        created_at = datetime.datetime.fromisoformat(d.pop("created_at"))

        labels_hidden = d.pop("labels_hidden", UNSET)

        pool_out = cls(
            id=id,
            project_id=project_id,
            domain=domain,
            split=split,
            status=status,
            filename=filename,
            n_items=n_items,
            n_labeled=n_labeled,
            created_at=created_at,
            labels_hidden=labels_hidden,
        )

        pool_out.additional_properties = d
        return pool_out

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
