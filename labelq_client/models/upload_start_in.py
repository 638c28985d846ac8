from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define

T = TypeVar("T", bound="UploadStartIn")


@_attrs_define
class UploadStartIn:
    """
    Attributes:
        filename (str): its type by suffix, as for uploads
        size (int): the file's size in bytes, all parts together
    """

    filename: str
    size: int

    def to_dict(self) -> dict[str, Any]:
        filename = self.filename

        size = self.size

        field_dict: dict[str, Any] = {}

        field_dict.update(
            {
                "filename": filename,
                "size": size,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        filename = d.pop("filename")

        size = d.pop("size")

        upload_start_in = cls(
            filename=filename,
            size=size,
        )

        return upload_start_in
