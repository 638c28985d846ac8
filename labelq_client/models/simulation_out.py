from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.job_out import JobOut
    from ..models.simulation_result_out import SimulationResultOut


T = TypeVar("T", bound="SimulationOut")


@_attrs_define
class SimulationOut:
    """
    Attributes:
        job (JobOut):
        result (None | SimulationResultOut): the curves once the job succeeded
    """

    job: JobOut
    result: None | SimulationResultOut
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.simulation_result_out import SimulationResultOut

        job = self.job.to_dict()

        result: dict[str, Any] | None
        if isinstance(self.result, SimulationResultOut):
            result = self.result.to_dict()
        else:
            result = self.result

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "job": job,
                "result": result,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.job_out import JobOut
        from ..models.simulation_result_out import SimulationResultOut

        d = dict(src_dict)
        job = JobOut.from_dict(d.pop("job"))

        def _parse_result(data: object) -> None | SimulationResultOut:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                result_type_0 = SimulationResultOut.from_dict(data)

                return result_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(None | SimulationResultOut, data)

        result = _parse_result(d.pop("result"))

        simulation_out = cls(
            job=job,
            result=result,
        )

        simulation_out.additional_properties = d
        return simulation_out

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
