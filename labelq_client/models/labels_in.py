from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.label_entry import LabelEntry


T = TypeVar("T", bound="LabelsIn")


@_attrs_define
class LabelsIn:
    """
    Attributes:
        project_id (int):
        labels (list[LabelEntry]):
        round_id (int | None | Unset):
        annotator (None | str | Unset):
        overwrite (bool | Unset): replace labels that differ instead of refusing (409) Default: False.
    """

    project_id: int
    labels: list[LabelEntry]
    round_id: int | None | Unset = UNSET
    annotator: None | str | Unset = UNSET
    overwrite: bool | Unset = False

    def to_dict(self) -> dict[str, Any]:
        project_id = self.project_id

        labels = []
        for labels_item_data in self.labels:
            labels_item = labels_item_data.to_dict()
            labels.append(labels_item)

        round_id: int | None | Unset
        if isinstance(self.round_id, Unset):
            round_id = UNSET
        else:
            round_id = self.round_id

        annotator: None | str | Unset
        if isinstance(self.annotator, Unset):
            annotator = UNSET
        else:
            annotator = self.annotator

        overwrite = self.overwrite

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "project_id": project_id,
                "labels": labels,
            }
        )
        if round_id is not UNSET:
            field_dict["round_id"] = round_id
        if annotator is not UNSET:
            field_dict["annotator"] = annotator
        if overwrite is not UNSET:
            field_dict["overwrite"] = overwrite

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.label_entry import LabelEntry

        d = dict(src_dict)
        project_id = d.pop("project_id")

        labels = []
        _labels = d.pop("labels")
        for labels_item_data in _labels:
            labels_item = LabelEntry.from_dict(labels_item_data)

            labels.append(labels_item)

        def _parse_round_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        round_id = _parse_round_id(d.pop("round_id", UNSET))

        def _parse_annotator(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        annotator = _parse_annotator(d.pop("annotator", UNSET))

        overwrite = d.pop("overwrite", UNSET)

        labels_in = cls(
            project_id=project_id,
            labels=labels,
            round_id=round_id,
            annotator=annotator,
            overwrite=overwrite,
        )

        return labels_in
