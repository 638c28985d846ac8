from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="UploadOut")


@_attrs_define
class UploadOut:
    """
    Attributes:
        id (str):
        project_id (int):
        filename (str):
        size (int):
        offset (int): bytes received: where the next part starts
        part_bytes (int): the largest part one PATCH may carry (LABELQ_MAX_UPLOAD_BYTES)
        pool_id (int | None): once completed: the pool (null if its import was refused)
        job_id (int | None): once completed: the job importing it
    """

    id: str
    project_id: int
    filename: str
    size: int
    offset: int
    part_bytes: int
    pool_id: int | None
    job_id: int | None
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        id = self.id

        project_id = self.project_id

        filename = self.filename

        size = self.size

        offset = self.offset

        part_bytes = self.part_bytes

        pool_id: int | None
        pool_id = self.pool_id

        job_id: int | None
        job_id = self.job_id

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "id": id,
                "project_id": project_id,
                "filename": filename,
                "size": size,
                "offset": offset,
                "part_bytes": part_bytes,
                "pool_id": pool_id,
                "job_id": job_id,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        id = d.pop("id")

        project_id = d.pop("project_id")

        filename = d.pop("filename")

        size = d.pop("size")

        offset = d.pop("offset")

        part_bytes = d.pop("part_bytes")

        def _parse_pool_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        pool_id = _parse_pool_id(d.pop("pool_id"))

        def _parse_job_id(data: object) -> int | None:
            if data is None:
                return data
            return cast(int | None, data)

        job_id = _parse_job_id(d.pop("job_id"))

        upload_out = cls(
            id=id,
            project_id=project_id,
            filename=filename,
            size=size,
            offset=offset,
            part_bytes=part_bytes,
            pool_id=pool_id,
            job_id=job_id,
        )

        upload_out.additional_properties = d
        return upload_out

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
