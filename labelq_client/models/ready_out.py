from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.ready_out_status import ReadyOutStatus, check_ready_out_status

T = TypeVar("T", bound="ReadyOut")


@_attrs_define
class ReadyOut:
    """``ok`` or ``error: <why>`` per dependency; status ``ok`` only when all are.

    Attributes:
        status (ReadyOutStatus):
        database (str):
        broker (str):
        workers (str):
    """

    status: ReadyOutStatus
    database: str
    broker: str
    workers: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        status: str = self.status

        database = self.database

        broker = self.broker

        workers = self.workers

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "status": status,
                "database": database,
                "broker": broker,
                "workers": workers,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        status = check_ready_out_status(d.pop("status"))

        database = d.pop("database")

        broker = d.pop("broker")

        workers = d.pop("workers")

        ready_out = cls(
            status=status,
            database=database,
            broker=broker,
            workers=workers,
        )

        ready_out.additional_properties = d
        return ready_out

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
