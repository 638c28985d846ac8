from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.catalog_out_params_schema import CatalogOutParamsSchema


T = TypeVar("T", bound="CatalogOut")


@_attrs_define
class CatalogOut:
    """
    Attributes:
        name (str):
        description (str):
        paper (str):
        params_schema (CatalogOutParamsSchema):
    """

    name: str
    description: str
    paper: str
    params_schema: CatalogOutParamsSchema
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        name = self.name

        description = self.description

        paper = self.paper

        params_schema = self.params_schema.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "description": description,
                "paper": paper,
                "params_schema": params_schema,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.catalog_out_params_schema import CatalogOutParamsSchema

        d = dict(src_dict)
        name = d.pop("name")

        description = d.pop("description")

        paper = d.pop("paper")

        params_schema = CatalogOutParamsSchema.from_dict(d.pop("params_schema"))

        catalog_out = cls(
            name=name,
            description=description,
            paper=paper,
            params_schema=params_schema,
        )

        catalog_out.additional_properties = d
        return catalog_out

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
