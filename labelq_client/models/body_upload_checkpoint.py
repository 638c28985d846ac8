from __future__ import annotations

from collections.abc import Mapping
from io import BytesIO
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from .. import types
from ..types import UNSET, File, Unset

T = TypeVar("T", bound="BodyUploadCheckpoint")


@_attrs_define
class BodyUploadCheckpoint:
    """
    Attributes:
        file (File):
        architecture (str): a registered network, see GET /networks
        arch_args (None | str | Unset): JSON object of the network's arguments
        input_spec (None | str | Unset): JSON: the items' "shape" (the project's), and what the network expects of its
            input: "size" [H, W] (items are resized to it) and per-channel "mean" and "std" (items are normalised with
            them), e.g. {"size": [224, 224], "mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]} for ImageNet
            weights
        wait_seconds (float | None | Unset):
    """

    file: File
    architecture: str
    arch_args: None | str | Unset = UNSET
    input_spec: None | str | Unset = UNSET
    wait_seconds: float | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        file = self.file.to_tuple()

        architecture = self.architecture

        arch_args: None | str | Unset
        if isinstance(self.arch_args, Unset):
            arch_args = UNSET
        else:
            arch_args = self.arch_args

        input_spec: None | str | Unset
        if isinstance(self.input_spec, Unset):
            input_spec = UNSET
        else:
            input_spec = self.input_spec

        wait_seconds: float | None | Unset
        if isinstance(self.wait_seconds, Unset):
            wait_seconds = UNSET
        else:
            wait_seconds = self.wait_seconds

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "file": file,
                "architecture": architecture,
            }
        )
        if arch_args is not UNSET:
            field_dict["arch_args"] = arch_args
        if input_spec is not UNSET:
            field_dict["input_spec"] = input_spec
        if wait_seconds is not UNSET:
            field_dict["wait_seconds"] = wait_seconds

        return field_dict

    def to_multipart(self) -> types.RequestFiles:
        files: types.RequestFiles = []

        files.append(("file", self.file.to_tuple()))

        files.append(
            ("architecture", (None, str(self.architecture).encode(), "text/plain"))
        )

        if not isinstance(self.arch_args, Unset):
            if isinstance(self.arch_args, str):
                files.append(
                    ("arch_args", (None, str(self.arch_args).encode(), "text/plain"))
                )
            else:
                files.append(
                    ("arch_args", (None, str(self.arch_args).encode(), "text/plain"))
                )

        if not isinstance(self.input_spec, Unset):
            if isinstance(self.input_spec, str):
                files.append(
                    ("input_spec", (None, str(self.input_spec).encode(), "text/plain"))
                )
            else:
                files.append(
                    ("input_spec", (None, str(self.input_spec).encode(), "text/plain"))
                )

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

        for prop_name, prop in self.additional_properties.items():
            files.append((prop_name, (None, str(prop).encode(), "text/plain")))

        return files

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        file = File(payload=BytesIO(d.pop("file")))

        architecture = d.pop("architecture")

        def _parse_arch_args(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        arch_args = _parse_arch_args(d.pop("arch_args", UNSET))

        def _parse_input_spec(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        input_spec = _parse_input_spec(d.pop("input_spec", UNSET))

        def _parse_wait_seconds(data: object) -> float | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(float | None | Unset, data)

        wait_seconds = _parse_wait_seconds(d.pop("wait_seconds", UNSET))

        body_upload_checkpoint = cls(
            file=file,
            architecture=architecture,
            arch_args=arch_args,
            input_spec=input_spec,
            wait_seconds=wait_seconds,
        )

        body_upload_checkpoint.additional_properties = d
        return body_upload_checkpoint

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
