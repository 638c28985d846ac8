from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.catalog_out_extra import CatalogOutExtra
    from ..models.catalog_out_params_schema_type_0 import CatalogOutParamsSchemaType0


T = TypeVar("T", bound="CatalogOut")


@_attrs_define
class CatalogOut:
    """
    Attributes:
        name (str):
        description (str):
        paper (str):
        params_schema (CatalogOutParamsSchemaType0 | None): JSON schema of its parameters (strategies, objectives); null
            for networks
        plugin (None | str): the plugin distribution (and version) that registered it; null: built-in
        extra (CatalogOutExtra): strategies: needs_model, needs_previous, adaptive; objectives: unlabeled (reads
            unlabeled target items); networks: arguments; a family (torchvision/<name>): prefix and members
    """

    name: str
    description: str
    paper: str
    params_schema: CatalogOutParamsSchemaType0 | None
    plugin: None | str
    extra: CatalogOutExtra
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.catalog_out_params_schema_type_0 import (
            CatalogOutParamsSchemaType0,
        )

        name = self.name

        description = self.description

        paper = self.paper

        params_schema: dict[str, Any] | None
        if isinstance(self.params_schema, CatalogOutParamsSchemaType0):
            params_schema = self.params_schema.to_dict()
        else:
            params_schema = self.params_schema

        plugin: None | str
        plugin = self.plugin

        extra = self.extra.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "name": name,
                "description": description,
                "paper": paper,
                "params_schema": params_schema,
                "plugin": plugin,
                "extra": extra,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.catalog_out_extra import CatalogOutExtra
        from ..models.catalog_out_params_schema_type_0 import (
            CatalogOutParamsSchemaType0,
        )

        d = dict(src_dict)
        name = d.pop("name")

        description = d.pop("description")

        paper = d.pop("paper")

        def _parse_params_schema(data: object) -> CatalogOutParamsSchemaType0 | None:
            if data is None:
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                params_schema_type_0 = CatalogOutParamsSchemaType0.from_dict(data)

                return params_schema_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(CatalogOutParamsSchemaType0 | None, data)

        params_schema = _parse_params_schema(d.pop("params_schema"))

        def _parse_plugin(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        plugin = _parse_plugin(d.pop("plugin"))

        extra = CatalogOutExtra.from_dict(d.pop("extra"))

        catalog_out = cls(
            name=name,
            description=description,
            paper=paper,
            params_schema=params_schema,
            plugin=plugin,
            extra=extra,
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
