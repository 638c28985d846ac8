"""BlobStore writes: atomic, and safe when two threads write the same key at once."""

from __future__ import annotations

from pathlib import Path

from service.storage import BlobStore
from tests.concurrency import run_at_once


def test_two_threads_writing_one_key_never_mix_their_bytes(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    payloads = [bytes([i]) * 2_000_000 for i in (1, 2)]

    def write(data: bytes) -> None:
        for _ in range(5):
            with store.atomic_path("outputs/x.bin") as tmp, open(tmp, "wb") as fh:
                for start in range(0, len(data), 65536):
                    fh.write(data[start : start + 65536])

    errors = run_at_once(write, [(p,) for p in payloads])
    assert not errors, errors
    assert store.read_bytes("outputs/x.bin") in payloads
    assert [p.name for p in (tmp_path / "outputs").iterdir()] == ["x.bin"], "no temporary file is left"


def test_a_failed_write_leaves_neither_the_key_nor_a_temporary_file(tmp_path: Path) -> None:
    store = BlobStore(tmp_path)
    try:
        with store.atomic_path("a/b.bin") as tmp:
            tmp.write_bytes(b"half")
            raise RuntimeError("disk full")
    except RuntimeError:
        pass
    assert not store.exists("a/b.bin") and list((tmp_path / "a").iterdir()) == []
