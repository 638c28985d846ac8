from __future__ import annotations

from collections.abc import Mapping
from io import BytesIO
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from .. import types
from ..models.body_upload_pool_domain import (
    BodyUploadPoolDomain,
    check_body_upload_pool_domain,
)
from ..models.body_upload_pool_split import (
    BodyUploadPoolSplit,
    check_body_upload_pool_split,
)
from ..types import UNSET, File, FileTypes, Unset

T = TypeVar("T", bound="BodyUploadPool")


@_attrs_define
class BodyUploadPool:
    """
    Attributes:
        domain (BodyUploadPoolDomain):
        file (File | None | Unset):
        uri (None | str | Unset): instead of file: file:///path or s3://bucket/key under LABELQ_DATA_ROOTS, read by the
            worker (pools larger than one request)
        split (BodyUploadPoolSplit | Unset):  Default: 'train'.
        wait_seconds (float | None | Unset):
        hidden_labels (bool | Unset):  Default: False.
    """

    domain: BodyUploadPoolDomain
    file: File | None | Unset = UNSET
    uri: None | str | Unset = UNSET
    split: BodyUploadPoolSplit | Unset = "train"
    wait_seconds: float | None | Unset = UNSET
    hidden_labels: bool | Unset = False
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        domain: str = self.domain

        file: FileTypes | None | Unset
        if isinstance(self.file, Unset):
            file = UNSET
        elif isinstance(self.file, File):
            file = self.file.to_tuple()

        else:
            file = self.file

        uri: None | str | Unset
        if isinstance(self.uri, Unset):
            uri = UNSET
        else:
            uri = self.uri

        split: str | Unset = UNSET
        if not isinstance(self.split, Unset):
            split = self.split

        wait_seconds: float | None | Unset
        if isinstance(self.wait_seconds, Unset):
            wait_seconds = UNSET
        else:
            wait_seconds = self.wait_seconds

        hidden_labels = self.hidden_labels

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "domain": domain,
            }
        )
        if file is not UNSET:
            field_dict["file"] = file
        if uri is not UNSET:
            field_dict["uri"] = uri
        if split is not UNSET:
            field_dict["split"] = split
        if wait_seconds is not UNSET:
            field_dict["wait_seconds"] = wait_seconds
        if hidden_labels is not UNSET:
            field_dict["hidden_labels"] = hidden_labels

        return field_dict

    def to_multipart(self) -> types.RequestFiles:
        files: types.RequestFiles = []

        files.append(("domain", (None, str(self.domain).encode(), "text/plain")))

        if not isinstance(self.file, Unset):
            if isinstance(self.file, File):
                files.append(("file", self.file.to_tuple()))
            else:
                files.append(("file", (None, str(self.file).encode(), "text/plain")))

        if not isinstance(self.uri, Unset):
            if isinstance(self.uri, str):
                files.append(("uri", (None, str(self.uri).encode(), "text/plain")))
            else:
                files.append(("uri", (None, str(self.uri).encode(), "text/plain")))

        if not isinstance(self.split, Unset):
            files.append(("split", (None, str(self.split).encode(), "text/plain")))

        if not isinstance(self.wait_seconds, Unset):
            if isinstance(self.wait_seconds, float):
                files.append(
                    (
                        "wait_seconds",
                        (None, str(self.wait_seconds).encode(), "text/plain"),
                    )
                )
            else:
                files.append(
                    (
                        "wait_seconds",
                        (None, str(self.wait_seconds).encode(), "text/plain"),
                    )
                )

        if not isinstance(self.hidden_labels, Unset):
            files.append(
                (
                    "hidden_labels",
                    (None, str(self.hidden_labels).encode(), "text/plain"),
                )
            )

        for prop_name, prop in self.additional_properties.items():
            files.append((prop_name, (None, str(prop).encode(), "text/plain")))

        return files

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        domain = check_body_upload_pool_domain(d.pop("domain"))

        def _parse_file(data: object) -> File | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, bytes):
                    raise TypeError()
                file_type_0 = File(payload=BytesIO(data))

                return file_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(File | None | Unset, data)

        file = _parse_file(d.pop("file", UNSET))

        def _parse_uri(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        uri = _parse_uri(d.pop("uri", UNSET))

        _split = d.pop("split", UNSET)
        split: BodyUploadPoolSplit | Unset
        if isinstance(_split, Unset):
            split = UNSET
        else:
            split = check_body_upload_pool_split(_split)

        def _parse_wait_seconds(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        wait_seconds = _parse_wait_seconds(d.pop("wait_seconds", UNSET))

        hidden_labels = d.pop("hidden_labels", UNSET)

        body_upload_pool = cls(
            domain=domain,
            file=file,
            uri=uri,
            split=split,
            wait_seconds=wait_seconds,
            hidden_labels=hidden_labels,
        )

        body_upload_pool.additional_properties = d
        return body_upload_pool

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
