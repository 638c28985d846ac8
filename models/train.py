"""The training loop shared by every objective: seeded streams, one optimizer, progress, stop.

Per step (ALGORITHMS.md §1.4): one batch from each present stream, ``objective.terms``,
``objective.backward`` (plain sum, or gradient harmonization for gh/ghpp), ``optimizer.step``,
``objective.after_step``. Each stream cycles through its own seeded permutations, so a small
labeled-target set is reused every step; an epoch is ceil(max(|source|, |target_labeled|) / B)
steps. Deterministic on CPU for a fixed seed.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import Tensor, nn

from models.device import module_device
from models.inference import as_float_input
from models.objectives.base import Batch, Objective
from models.rows import Rows

OPTIMIZERS = ("adam", "sgd", "adadelta")
Labeled = tuple[Tensor, Tensor]
LabeledData = tuple[Rows, Tensor]  # inputs (a tensor or rows read on demand) and their labels
ProgressFn = Callable[[dict[str, Any]], None]


@dataclass
class TrainConfig:
    """Hyperparameters of one ``fit`` call; ``max_steps`` caps the total number of steps."""

    epochs: int = 5
    batch_size: int = 64
    lr: float = 1e-3
    optimizer: str = "adam"
    momentum: float = 0.9
    weight_decay: float = 0.0
    seed: int = 0
    max_steps: int | None = None

    def __post_init__(self) -> None:
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {self.optimizer!r}")
        if self.epochs < 0 or self.batch_size < 1:
            raise ValueError("epochs must be >= 0 and batch_size >= 1")
        if not (self.lr > 0 and self.momentum >= 0 and self.weight_decay >= 0):
            raise ValueError("lr must be > 0, momentum and weight_decay >= 0")
        if self.max_steps is not None and self.max_steps < 1:
            raise ValueError(f"max_steps must be None or >= 1, got {self.max_steps}")


@dataclass
class TrainResult:
    """history: one dict per (possibly partial) epoch: epoch (1-based), steps, mean loss terms."""

    history: list[dict[str, float]] = field(default_factory=list)
    steps: int = 0
    stopped: bool = False


class _Cycle:
    """Endless batches from ``tensors`` (same length N; any ``Rows``: only a batch is read at a
    time), reshuffled at each pass.

    A batch has min(batch_size, N) items and may span two passes; a batch of one item is
    duplicated to two (BatchNorm needs more than one value per channel).
    """

    def __init__(self, tensors: tuple[Rows, ...], batch_size: int, seed: int) -> None:
        self.tensors = tensors
        self.n = len(tensors[0])
        self.size = min(batch_size, self.n)
        self.generator = torch.Generator().manual_seed(seed)
        self.order = torch.empty(0, dtype=torch.long)
        self.pos = 0

    def next(self) -> tuple[Tensor, ...]:
        chunks = []
        need = self.size
        while need > 0:
            if self.pos == len(self.order):
                self.order, self.pos = torch.randperm(self.n, generator=self.generator), 0
            chunk = self.order[self.pos : self.pos + need]
            self.pos += len(chunk)
            need -= len(chunk)
            chunks.append(chunk)
        index = torch.cat(chunks)
        if len(index) == 1:
            index = index.repeat(2)
        return tuple(t[index] for t in self.tensors)


class _Streams:
    """The three data streams of a step; a None or empty stream is absent."""

    def __init__(
        self,
        source: LabeledData | None,
        target_labeled: LabeledData | None,
        target_unlabeled: Rows | None,
        config: TrainConfig,
    ) -> None:
        seeds = torch.randint(2**62, (3,), generator=torch.Generator().manual_seed(config.seed)).tolist()
        self.source = _labeled_cycle("source", source, config.batch_size, seeds[0])
        self.target_labeled = _labeled_cycle("target_labeled", target_labeled, config.batch_size, seeds[1])
        if self.source is None and self.target_labeled is None:
            raise ValueError("fit needs labeled data: a non-empty source or target_labeled stream")
        self.target_unlabeled = None
        if target_unlabeled is not None and len(target_unlabeled) > 0:
            self.target_unlabeled = _Cycle((target_unlabeled,), config.batch_size, seeds[2])
        largest = max(c.n for c in (self.source, self.target_labeled) if c is not None)
        self.steps_per_epoch = math.ceil(largest / config.batch_size)

    def next_batch(self, device: torch.device) -> tuple[Batch, int]:
        """One step's Batch on ``device`` (float inputs, long labels) and its item count."""
        src = _labeled_batch(self.source, device)
        tgt = _labeled_batch(self.target_labeled, device)
        unl = None if self.target_unlabeled is None else _to_input(self.target_unlabeled.next()[0], device)
        items = sum(len(b[0]) for b in (src, tgt) if b is not None) + (0 if unl is None else len(unl))
        return Batch(source=src, target_labeled=tgt, target_unlabeled=unl), items


def _labeled_cycle(name: str, data: LabeledData | None, batch_size: int, seed: int) -> _Cycle | None:
    if data is None:
        return None
    x, y = data
    if y.dim() != 1 or len(x) != y.shape[0]:
        raise ValueError(f"{name}: expected x [N, ...] and y [N], got {len(x)} inputs and y {tuple(y.shape)}")
    return _Cycle((x, y), batch_size, seed) if len(y) > 0 else None


def _to_input(x: Tensor, device: torch.device) -> Tensor:
    return as_float_input(x.to(device, non_blocking=True))


def _labeled_batch(cycle: _Cycle | None, device: torch.device) -> Labeled | None:
    if cycle is None:
        return None
    x, y = cycle.next()
    return _to_input(x, device), y.to(device, dtype=torch.long, non_blocking=True)


def trainable_parameters(model: nn.Module, objective: Objective) -> list[nn.Parameter]:
    """Model parameters then the objective's extra ones, requiring grad, without duplicates."""
    seen: set[int] = set()
    params = []
    for p in [*model.parameters(), *objective.extra_parameters()]:
        if p.requires_grad and id(p) not in seen:
            seen.add(id(p))
            params.append(p)
    return params


def make_optimizer(params: list[nn.Parameter], config: TrainConfig) -> torch.optim.Optimizer:
    """adam | sgd (with momentum) | adadelta, all with ``weight_decay``."""
    if config.optimizer == "adam":
        return torch.optim.Adam(params, lr=config.lr, weight_decay=config.weight_decay)
    if config.optimizer == "sgd":
        return torch.optim.SGD(
            params, lr=config.lr, momentum=config.momentum, weight_decay=config.weight_decay
        )
    return torch.optim.Adadelta(params, lr=config.lr, weight_decay=config.weight_decay)


class _Running:
    """Running means of logged values (keys may differ between steps)."""

    def __init__(self) -> None:
        self.sums: dict[str, float] = {}
        self.counts: dict[str, int] = {}
        self.steps = 0

    def add(self, row: dict[str, float]) -> None:
        self.steps += 1
        for key, value in row.items():
            self.sums[key] = self.sums.get(key, 0.0) + value
            self.counts[key] = self.counts.get(key, 0) + 1

    def means(self) -> dict[str, float]:
        return {key: total / self.counts[key] for key, total in self.sums.items()}


class _Meter:
    """Throttled progress reports: at most one per ``interval`` seconds, plus the final one."""

    def __init__(self, callback: ProgressFn | None, total_steps: int, epochs: int, interval: float) -> None:
        self.callback, self.total, self.epochs, self.interval = callback, total_steps, epochs, interval
        self.start = self.last = time.monotonic()
        self.items = 0

    def update(self, epoch: int, step: int, items: int, running: _Running, final: bool = False) -> None:
        self.items += items
        now = time.monotonic()
        if self.callback is None or (not final and now - self.last < self.interval):
            return
        self.last = now
        elapsed = max(now - self.start, 1e-9)
        eta = 0.0 if step == 0 else (self.total - step) * elapsed / step
        report = {"epoch": epoch, "epochs": self.epochs, "step": step, "total_steps": self.total}
        report |= {"fraction": step / self.total if self.total else 1.0, "items_per_s": self.items / elapsed}
        self.callback(report | {"eta_s": eta, "final": final} | running.means())


def _rng_scope(device: torch.device) -> AbstractContextManager[Any]:
    """Fork the global RNGs (dropout, objectives' draws) so fit's seeding does not leak."""
    if device.type != "cuda":
        return torch.random.fork_rng(devices=[])
    index = device.index if device.index is not None else torch.cuda.current_device()
    return torch.random.fork_rng(devices=[index])


def train_step(
    model: nn.Module,
    objective: Objective,
    optimizer: torch.optim.Optimizer,
    params: list[nn.Parameter],
    batch: Batch,
) -> dict[str, float]:
    """One optimisation step; returns loss (= classification + alignment) and the logged terms."""
    optimizer.zero_grad(set_to_none=True)
    terms = objective.terms(model, batch)
    logs = {"classification": float(terms.classification.detach())}
    if terms.alignment is not None:
        logs["alignment"] = float(terms.alignment.detach())
    loss = sum(logs.values())
    if not math.isfinite(loss):
        raise FloatingPointError(f"non-finite training loss: {logs}")
    logs |= objective.backward(terms, params)
    optimizer.step()
    objective.after_step(model)
    return {"loss": loss, **logs, **terms.logs}


def fit(
    model: nn.Module,
    objective: Objective,
    *,
    source: LabeledData | None = None,
    target_labeled: LabeledData | None = None,
    target_unlabeled: Rows | None = None,
    config: TrainConfig | None = None,
    device: torch.device | str | None = None,
    progress: ProgressFn | None = None,
    should_stop: Callable[[], bool] | None = None,
    progress_interval_s: float = 0.5,
) -> TrainResult:
    """Train ``model`` in place with ``objective``; see the module docstring for the semantics.

    source / target_labeled: (x [N, ...] uint8 or float, y [N] int); target_unlabeled: x [M, ...].
    Inputs may be any ``Rows`` (models/rows.py): each step reads its batch, so a memory-mapped pool
    is never loaded whole. Data stay where they are; each batch is moved to ``device`` (default:
    the model's).
    ``should_stop()`` is polled before every step (keep it cheap); True ends the run cleanly.
    ``progress(report)`` gets epoch, epochs, step, total_steps, fraction, items_per_s, eta_s,
    final and the epoch's running mean loss terms.
    """
    config = config or TrainConfig()
    streams = _Streams(source, target_labeled, target_unlabeled, config)
    total = config.epochs * streams.steps_per_epoch
    total = total if config.max_steps is None else min(total, config.max_steps)
    device = module_device(model) if device is None else torch.device(device)
    model.to(device)
    objective.to(device)
    params = trainable_parameters(model, objective)
    optimizer = make_optimizer(params, config)
    meter = _Meter(progress, total, config.epochs, progress_interval_s)
    with _rng_scope(device):
        torch.manual_seed(config.seed)
        model.train()
        objective.train()
        return _run(model, objective, optimizer, params, streams, device, total, meter, should_stop)


def _epochs(streams: _Streams, total: int) -> Iterator[tuple[int, int]]:
    """(1-based epoch, steps in it) until ``total`` steps."""
    epoch, done = 1, 0
    while done < total:
        n = min(streams.steps_per_epoch, total - done)
        yield epoch, n
        epoch, done = epoch + 1, done + n


def _run(
    model: nn.Module,
    objective: Objective,
    optimizer: torch.optim.Optimizer,
    params: list[nn.Parameter],
    streams: _Streams,
    device: torch.device,
    total: int,
    meter: _Meter,
    should_stop: Callable[[], bool] | None,
) -> TrainResult:
    result = TrainResult()
    epoch, running = 1, _Running()
    for epoch, n_steps in _epochs(streams, total):
        running = _Running()
        for _ in range(n_steps):
            if should_stop is not None and should_stop():
                result.stopped = True
                break
            batch, items = streams.next_batch(device)
            running.add(train_step(model, objective, optimizer, params, batch))
            result.steps += 1
            meter.update(epoch, result.steps, items, running)
        if running.steps:
            result.history.append({"epoch": epoch, "steps": running.steps, **running.means()})
        if result.stopped:
            break
    meter.update(epoch, result.steps, 0, running, final=True)
    return result
