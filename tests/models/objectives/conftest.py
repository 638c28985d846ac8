"""Run the objective tests on one intra-op thread.

These models are tiny: with several threads on a busy 2-core machine, OpenMP waiting made a
48-step fit take 25 s instead of 0.2 s. The previous setting is restored after each test.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import torch


@pytest.fixture(autouse=True)
def _one_thread() -> Iterator[None]:
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
