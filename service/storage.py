"""Blob storage: a local folder addressed by relative keys (``pools/3/x.npy``).

Keys are checked so that no key can leave the root. Writes are atomic (temp file + rename).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from service.errors import PayloadTooLarge

CHUNK = 1024 * 1024


class BlobStore:
    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root) or path == self.root:
            raise ValueError(f"blob key outside the store: {key!r}")
        return path

    def exists(self, key: str) -> bool:
        return self.path(key).exists()

    def read_bytes(self, key: str) -> bytes:
        return self.path(key).read_bytes()

    def write_bytes(self, key: str, data: bytes) -> str:
        with self._atomic(key) as fh:
            fh.write(data)
        return key

    def write_stream(self, key: str, src: BinaryIO, *, limit: int) -> tuple[int, str]:
        """Copy ``src`` into ``key``; 413 (and nothing kept) past ``limit`` bytes. -> (size, sha256)."""
        digest, size = hashlib.sha256(), 0
        with self._atomic(key) as fh:
            while chunk := src.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise PayloadTooLarge(f"upload exceeds the limit of {limit} bytes")
                digest.update(chunk)
                fh.write(chunk)
        return size, digest.hexdigest()

    def delete(self, key: str | None) -> None:
        if not key:
            return
        path = self.path(key)
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)

    @contextmanager
    def atomic_path(self, key: str) -> Iterator[Path]:
        """A temporary path beside ``key``; renamed to ``key`` when the block ends without error."""
        final = self.path(key)
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=final.parent, prefix=f".tmp-{final.name}-")  # unique per thread
        os.close(fd)
        tmp = Path(name)
        try:
            yield tmp
            if tmp.is_file():
                _fsync_file(tmp)
            os.replace(tmp, final)
            _fsync_dir(final.parent)
        finally:
            tmp.unlink(missing_ok=True)

    @contextmanager
    def _atomic(self, key: str) -> Iterator[BinaryIO]:
        final = self.path(key)
        final.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=final.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                yield fh
                fh.flush()
                os.fsync(fh.fileno())  # the bytes are on disk before the name points at them
            os.replace(tmp, final)
            _fsync_dir(final.parent)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(path: Path) -> None:
    """Make a rename in ``path`` durable (POSIX); a no-op where directories cannot be opened."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def get_store() -> BlobStore:
    from service.settings import get_settings

    return BlobStore(get_settings().blob_dir)
