from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define

from ..types import UNSET, Unset

T = TypeVar("T", bound="PredictIn")


@_attrs_define
class PredictIn:
    """Exactly one of ``item_ids``, ``external_ids`` or ``pool_id`` (a page of its items by row).

    Attributes:
        item_ids (list[int] | None | Unset):
        external_ids (list[str] | None | Unset):
        pool_id (int | None | Unset):
        offset (int | Unset): pool_id: items to skip, by row Default: 0.
        limit (int | Unset): pool_id: items in this page Default: 1000.
        top_k (int | Unset): class probabilities per item Default: 3.
        wait_seconds (float | Unset):  Default: 30.0.
    """

    item_ids: list[int] | None | Unset = UNSET
    external_ids: list[str] | None | Unset = UNSET
    pool_id: int | None | Unset = UNSET
    offset: int | Unset = 0
    limit: int | Unset = 1000
    top_k: int | Unset = 3
    wait_seconds: float | Unset = 30.0

    def to_dict(self) -> dict[str, Any]:
        item_ids: list[int] | None | Unset
        if isinstance(self.item_ids, Unset):
            item_ids = UNSET
        elif isinstance(self.item_ids, list):
            item_ids = self.item_ids

        else:
            item_ids = self.item_ids

        external_ids: list[str] | None | Unset
        if isinstance(self.external_ids, Unset):
            external_ids = UNSET
        elif isinstance(self.external_ids, list):
            external_ids = self.external_ids

        else:
            external_ids = self.external_ids

        pool_id: int | None | Unset
        if isinstance(self.pool_id, Unset):
            pool_id = UNSET
        else:
            pool_id = self.pool_id

        offset = self.offset

        limit = self.limit

        top_k = self.top_k

        wait_seconds = self.wait_seconds

        field_dict: dict[str, Any] = {}

        field_dict.update({})
        if item_ids is not UNSET:
            field_dict["item_ids"] = item_ids
        if external_ids is not UNSET:
            field_dict["external_ids"] = external_ids
        if pool_id is not UNSET:
            field_dict["pool_id"] = pool_id
        if offset is not UNSET:
            field_dict["offset"] = offset
        if limit is not UNSET:
            field_dict["limit"] = limit
        if top_k is not UNSET:
            field_dict["top_k"] = top_k
        if wait_seconds is not UNSET:
            field_dict["wait_seconds"] = wait_seconds

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_item_ids(data: object) -> list[int] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                item_ids_type_0 = cast(list[int], data)

                return item_ids_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[int] | None | Unset, data)

        item_ids = _parse_item_ids(d.pop("item_ids", UNSET))

        def _parse_external_ids(data: object) -> list[str] | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, list):
                    raise TypeError()
                external_ids_type_0 = cast(list[str], data)

                return external_ids_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(list[str] | None | Unset, data)

        external_ids = _parse_external_ids(d.pop("external_ids", UNSET))

        def _parse_pool_id(data: object) -> int | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(int | None | Unset, data)

        pool_id = _parse_pool_id(d.pop("pool_id", UNSET))

        offset = d.pop("offset", UNSET)

        limit = d.pop("limit", UNSET)

        top_k = d.pop("top_k", UNSET)

        wait_seconds = d.pop("wait_seconds", UNSET)

        predict_in = cls(
            item_ids=item_ids,
            external_ids=external_ids,
            pool_id=pool_id,
            offset=offset,
            limit=limit,
            top_k=top_k,
            wait_seconds=wait_seconds,
        )

        return predict_in
