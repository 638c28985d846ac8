from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..models.upload_complete_in_domain import (
    UploadCompleteInDomain,
    check_upload_complete_in_domain,
)
from ..models.upload_complete_in_split import (
    UploadCompleteInSplit,
    check_upload_complete_in_split,
)
from ..types import UNSET, Unset

T = TypeVar("T", bound="UploadCompleteIn")


@_attrs_define
class UploadCompleteIn:
    """
    Attributes:
        domain (UploadCompleteInDomain):
        split (UploadCompleteInSplit | Unset):  Default: 'train'.
        hidden_labels (bool | Unset): as for POST /projects/{id}/pools Default: False.
        wait_seconds (float | None | Unset):
    """

    domain: UploadCompleteInDomain
    split: UploadCompleteInSplit | Unset = "train"
    hidden_labels: bool | Unset = False
    wait_seconds: float | None | Unset = UNSET

    def to_dict(self) -> dict[str, Any]:
        domain: str = self.domain

        split: str | Unset = UNSET
        if not isinstance(self.split, Unset):
            split = self.split

        hidden_labels = self.hidden_labels

        wait_seconds: float | None | Unset
        if isinstance(self.wait_seconds, Unset):
            wait_seconds = UNSET
        else:
            wait_seconds = self.wait_seconds

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "domain": domain,
            }
        )
        if split is not UNSET:
            field_dict["split"] = split
        if hidden_labels is not UNSET:
            field_dict["hidden_labels"] = hidden_labels
        if wait_seconds is not UNSET:
            field_dict["wait_seconds"] = wait_seconds

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        domain = check_upload_complete_in_domain(d.pop("domain"))

        _split = d.pop("split", UNSET)
        split: UploadCompleteInSplit | Unset
        if isinstance(_split, Unset):
            split = UNSET
        else:
            split = check_upload_complete_in_split(_split)

        hidden_labels = d.pop("hidden_labels", UNSET)

        def _parse_wait_seconds(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        wait_seconds = _parse_wait_seconds(d.pop("wait_seconds", UNSET))

        upload_complete_in = cls(
            domain=domain,
            split=split,
            hidden_labels=hidden_labels,
            wait_seconds=wait_seconds,
        )

        return upload_complete_in
