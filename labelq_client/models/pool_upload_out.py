from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.job_out import JobOut
    from ..models.pool_out import PoolOut


T = TypeVar("T", bound="PoolUploadOut")


@_attrs_define
class PoolUploadOut:
    """
    Attributes:
        pool (None | PoolOut): the pool; null when the import was refused
        job (JobOut):
    """

    pool: None | PoolOut
    job: JobOut
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.pool_out import PoolOut

        pool: dict[str, Any] | None
        if isinstance(self.pool, PoolOut):
            pool = self.pool.to_dict()
        else:
            pool = self.pool

        job = self.job.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "pool": pool,
                "job": job,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.job_out import JobOut
        from ..models.pool_out import PoolOut

        d = dict(src_dict)

        def _parse_pool(data: object) -> None | PoolOut:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                pool_type_0 = PoolOut.from_dict(data)

                return pool_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | PoolOut, data)

        pool = _parse_pool(d.pop("pool"))

        job = JobOut.from_dict(d.pop("job"))

        pool_upload_out = cls(
            pool=pool,
            job=job,
        )

        pool_upload_out.additional_properties = d
        return pool_upload_out

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
