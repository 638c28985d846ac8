"""Safe checkpoint I/O: flat state dicts as safetensors, or torch-saved with weights_only=True.

Checkpoints come from clients, so nothing here ever unpickles code: safetensors is parsed as
data, and ``torch.load(..., weights_only=True)`` refuses any global outside torch's tensor
allow-list (TorchFix TOR102, pytorch/vision#8105). A network is rebuilt from the registry and
then receives the tensors with ``load_state_dict(strict=True)``.
"""

from __future__ import annotations

import hashlib
import io
import json
import struct
import warnings
import zipfile
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load as st_load
from safetensors.torch import save as st_save
from torch import Tensor, nn

from models.networks import build_network

State = dict[str, Tensor]
_ZIP_MAGIC = b"PK\x03\x04"
_SHOWN = 5  # names listed in an error message
_BOILERPLATE = ("Weights only load failed", "Please file an issue", "Check the documentation")


class CheckpointError(Exception):
    """The bytes or the state dict are not a usable checkpoint; ``message`` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def state_to_bytes(state: State) -> bytes:
    """Serialise a flat ``{name: tensor}`` dict as safetensors (contiguous CPU copies)."""
    return st_save(_prepare_for_save(check_state(state)))


def state_from_bytes(data: bytes) -> State:
    """Parse safetensors or a torch-saved flat state dict; CheckpointError for anything else.

    torch files are read only with ``weights_only=True``: a pickle carrying code is refused,
    never executed.
    """
    if _looks_like_safetensors(data):
        try:
            state = st_load(bytes(data))
        except (SafetensorError, ValueError, RuntimeError, OverflowError) as exc:
            raise CheckpointError(f"invalid safetensors data: {exc}") from None
    else:
        state = _torch_load(data)
    return check_state(state)


def check_state(state: Any) -> State:
    """Return ``state`` if it is a flat ``dict[str, Tensor]``, else raise CheckpointError."""
    if not isinstance(state, dict):
        raise CheckpointError(f"a checkpoint must be a dict of name -> tensor, got {type(state).__name__}")
    for name, value in state.items():
        if not isinstance(name, str):
            raise CheckpointError(f"state dict keys must be strings, got {name!r}")
        if not isinstance(value, Tensor):
            raise CheckpointError(f"state dict value {name!r} is a {type(value).__name__}, not a tensor")
    return {name: value.detach() for name, value in state.items()}


def load_network(architecture: str, arch_args: dict[str, Any], state: State) -> nn.Module:
    """Build ``architecture(**arch_args)`` from the registry and load ``state`` strictly.

    CheckpointError names missing/unexpected keys and shape or dtype-kind mismatches.
    """
    try:
        model = build_network(architecture, **arch_args)
    except (KeyError, TypeError, ValueError) as exc:
        raise CheckpointError(f"cannot build network {architecture!r}: {exc}") from None
    check_compatible(model.state_dict(), state)
    model.load_state_dict(state, strict=True)
    return model


def check_compatible(expected: State, state: State) -> None:
    """CheckpointError unless ``state`` has exactly ``expected``'s names, shapes, dtype kinds."""
    problems = []
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    if missing:
        problems.append(f"missing keys: {_few(missing)}")
    if unexpected:
        problems.append(f"unexpected keys: {_few(unexpected)}")
    mismatched = [
        f"{name}: expected {tuple(ref.shape)} {ref.dtype}, got {tuple(state[name].shape)} {state[name].dtype}"
        for name, ref in expected.items()
        if name in state and not _same_layout(ref, state[name])
    ]
    if mismatched:
        problems.append(f"mismatched tensors: {_few(mismatched)}")
    if problems:
        raise CheckpointError("checkpoint does not fit the network; " + "; ".join(problems))


def state_hash(state: State) -> str:
    """sha256 hex over sorted names, each with its dtype, shape and raw bytes."""
    digest = hashlib.sha256()
    for name in sorted(state):
        tensor = state[name].detach().cpu().contiguous()
        header = json.dumps([name, str(tensor.dtype), list(tensor.shape)])
        digest.update(struct.pack("<Q", len(header)) + header.encode())
        digest.update(tensor.reshape(-1).view(torch.uint8).numpy())
    return digest.hexdigest()


def bundle(parts: dict[str, State]) -> State:
    """``{"model": sd, "objective": sd2}`` -> one flat dict with keys ``"model.<name>"``, ..."""
    flat: State = {}
    for prefix, state in parts.items():
        if not prefix or "." in prefix:
            raise ValueError(f"bundle part names must be non-empty and without '.', got {prefix!r}")
        flat.update({f"{prefix}.{name}": tensor for name, tensor in state.items()})
    return flat


def unbundle(state: State) -> dict[str, State]:
    """Inverse of :func:`bundle`: split keys at the first ``'.'``."""
    parts: dict[str, State] = {}
    for key, tensor in state.items():
        prefix, sep, name = key.partition(".")
        if not sep:
            raise CheckpointError(f"bundled key {key!r} has no '<part>.' prefix")
        parts.setdefault(prefix, {})[name] = tensor
    return parts


def _looks_like_safetensors(data: bytes) -> bool:
    """safetensors = 8-byte little-endian header length, then a JSON object header."""
    if len(data) < 10:
        return False
    (length,) = struct.unpack("<Q", data[:8])
    return 0 < length <= len(data) - 8 and data[8:9] == b"{"


def _torch_load(data: bytes) -> Any:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # pickle-protocol notices on refused data
            return torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception as exc:  # unpickling errors come in many types; none may escape as-is
        raise CheckpointError(_refusal(data, exc)) from None


ACCEPTED = (
    "upload the model's weights: safetensors, or torch.save(model.state_dict(), path) (a dict of "
    "name -> tensor, read with weights_only=True)"
)


def _refusal(data: bytes, exc: Exception) -> str:
    """What the file is, as far as it can be told, and what is accepted instead."""
    names: list[str] = []
    if data[:4] == _ZIP_MAGIC:
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except zipfile.BadZipFile:
            names = []
    programs = "labelq loads weights, never programs"
    if any(n.endswith("/archive_format") or n.endswith("/models/model.json") for n in names):
        return f"refused a torch.export program (.pt2): {programs}; {ACCEPTED}"
    if any("/code/" in n for n in names) and any(n.endswith("/constants.pkl") for n in names):
        return f"refused a TorchScript archive (torch.jit.save): {programs}; {ACCEPTED}"
    reason = _reason(exc)
    if "Unsupported global" in reason and any(n.endswith("/data.pkl") for n in names):
        return f"refused a pickled object, not a state dict (torch.save(model)?): {reason[:200]}; {ACCEPTED}"
    kind = "torch zip archive" if names else "data"
    return f"refused {kind}: neither safetensors nor a weights-only torch state dict ({reason}); {ACCEPTED}"


def _reason(exc: Exception) -> str:
    """The informative line of a (long) torch.load error message."""
    text = str(exc).split("WeightsUnpickler error:")[-1]
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    useful = [line for line in lines if not line.startswith(_BOILERPLATE)]
    return (useful or lines or [type(exc).__name__])[0]


def _prepare_for_save(state: State) -> State:
    """Contiguous CPU tensors; a tensor sharing storage with an earlier one is copied."""
    seen: set[int] = set()
    out: State = {}
    for name, tensor in state.items():
        t = tensor.detach().cpu().contiguous()
        ptr = t.untyped_storage().data_ptr()
        if ptr in seen and t.numel() > 0:
            t = t.clone()
        seen.add(t.untyped_storage().data_ptr())
        out[name] = t
    return out


def _same_layout(ref: Tensor, got: Tensor) -> bool:
    same_kind = ref.dtype == got.dtype or (ref.is_floating_point() and got.is_floating_point())
    return ref.shape == got.shape and same_kind


def _few(items: list[str]) -> str:
    shown = ", ".join(items[:_SHOWN])
    return shown if len(items) <= _SHOWN else f"{shown} ... and {len(items) - _SHOWN} more"
