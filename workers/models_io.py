"""Checkpoint rows become networks, and networks become checkpoint rows' blobs, here."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import torch
from safetensors import safe_open
from safetensors.torch import load_file, save_file
from torch import nn

from models import input_spec
from models.acquisition import PoolOutputs
from models.buffers import OutputBuffers
from models.checkpoint import load_network, state_from_bytes, state_hash, state_to_bytes
from models.device import autocast_dtype
from models.inference import predict
from models.networks import count_parameters
from models.rows import Rows, RowSlice
from service.db.tables import Checkpoint
from service.domain import checkpoints
from service.domain.collect import outputs_key
from service.settings import get_settings
from service.storage import BlobStore


@dataclass(frozen=True)
class CheckpointRef:
    """What a worker needs of a checkpoint row, detached from any session."""

    id: int
    architecture: str
    arch_args: dict
    blob: str
    objective: str | None = None
    input_spec: dict | None = None  # resize and normalisation before the network (models/input_spec.py)

    @classmethod
    def of(cls, row: Checkpoint) -> CheckpointRef:
        assert row.blob is not None, "a ready checkpoint has weights"
        spec = dict(row.input_spec or {})
        return cls(row.id, row.architecture, dict(row.arch_args or {}), row.blob, row.objective, spec)


def check_network_size(architecture: str, arch_args: dict[str, Any]) -> None:
    """ValueError when the network would have more than LABELQ_MAX_NETWORK_PARAMS parameters,
    checked without allocating it (a small request must not claim the worker's memory)."""
    limit = get_settings().max_network_params
    n = count_parameters(architecture, **arch_args)
    if n > limit:
        raise ValueError(f"the network has {n:,} parameters, more than the limit of {limit:,}")


def load(store: BlobStore, ref: CheckpointRef, device: torch.device) -> nn.Module:
    model = load_network(ref.architecture, ref.arch_args, state_from_bytes(store.read_bytes(ref.blob)))
    return input_spec.apply(model, ref.input_spec).to(device).eval()


def save_weights(store: BlobStore, checkpoint_id: int, model: nn.Module) -> tuple[str, str, int]:
    """Write the model's state as safetensors -> (blob key, sha256 of the state, size)."""
    state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
    data = state_to_bytes(state)
    key = store.write_bytes(checkpoints.blob_key(checkpoint_id), data)
    return key, state_hash(state), len(data)


def objective_key(checkpoint_id: int) -> str:
    return f"checkpoints/{checkpoint_id}/objective.safetensors"


def save_objective_state(store: BlobStore, checkpoint_id: int, objective: nn.Module) -> bool:
    """Keep the objective's state (EADA's Delta, TOD's EMA network, DANN's discriminator) beside
    the weights, so the next training with the same objective continues it."""
    state = {k: v.detach().cpu() for k, v in objective.state_dict().items()}
    if not state:
        return False
    store.write_bytes(objective_key(checkpoint_id), state_to_bytes(state))
    return True


def restore_objective_state(store: BlobStore, ref: CheckpointRef, name: str, objective: nn.Module) -> bool:
    """Load the state the start checkpoint's training left, when it used the same objective."""
    key = objective_key(ref.id)
    if ref.objective != name or not store.exists(key):
        return False
    objective.load_state_dict(state_from_bytes(store.read_bytes(key)))
    return True


@functools.cache
def output_buffers() -> OutputBuffers:
    """This worker process's memory for pass outputs: a round's pass reuses an earlier round's
    once that round let go of it (no zeroing of fresh pages; benchmarks/README.md, goal 3)."""
    return OutputBuffers(get_settings().output_buffer_mb << 20)


def cached_outputs(
    store: BlobStore,
    ref: CheckpointRef,
    pool_id: int,
    x_loader: Callable[[], Rows],
    model_loader: Callable[[], nn.Module],
    progress: Callable[[int, int], None] | None = None,
    features: bool = True,
    rows: tuple[int, int] | None = None,
    precision: str = "float32",
) -> PoolOutputs:
    """Logits and features of a checkpoint on rows ``lo:hi`` of a pool (default: all of it),
    computed once and kept as a blob (a shard of the pool's pass, workers/shards.py).

    ``features=False`` (logits-only strategies) computes and keeps the logits alone ([N, 0]
    features); a later request that needs features recomputes the pass once and replaces the blob
    with the full outputs, which then serve every strategy. ``precision``: the pass runs under
    autocast in it (``models.device.PRECISIONS``) and is cached apart.
    """
    x = x_loader()
    lo, hi = rows if rows is not None else (0, len(x))
    key = outputs_key(ref.id, pool_id, lo, hi, precision)
    if is_cached(store, key, features):  # read straight from the file: no extra in-memory copy
        saved = load_file(store.path(key))
        return PoolOutputs(saved["logits"], saved["features"])
    part = x if (lo, hi) == (0, len(x)) else RowSlice(x, lo, hi)
    out = predict(
        model_loader(),
        part,
        progress=progress,
        features=features,
        buffers=output_buffers(),
        autocast=autocast_dtype(precision),
    )
    with store.atomic_path(key) as tmp:
        save_file({"logits": out.logits.contiguous(), "features": out.features.contiguous()}, tmp)
    return out


def is_cached(store: BlobStore, key: str, features: bool) -> bool:
    """Whether ``key`` holds outputs that serve: any when only logits are needed, else with features."""
    if not store.exists(key):
        return False
    if not features:
        return True
    with safe_open(str(store.path(key)), framework="pt") as f:
        return bool(f.get_slice("features").get_shape()[1] > 0)
