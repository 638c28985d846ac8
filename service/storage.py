"""Blob storage: a local folder addressed by relative keys (``pools/3/x.npy``), or an
S3-compatible bucket with the same interface (service/storage_s3.py, ``LABELQ_STORAGE_URL``).

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
        """A local file holding the blob (here: the blob itself)."""
        return self._local(key)

    def _local(self, key: str) -> Path:
        """Where ``key`` lives under the root (refused if it would leave it)."""
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root) or path == self.root:
            raise ValueError(f"blob key outside the store: {key!r}")
        return path

    def exists(self, key: str) -> bool:
        return self._local(key).exists()

    def read_bytes(self, key: str) -> bytes:
        return self._local(key).read_bytes()

    def write_bytes(self, key: str, data: bytes) -> str:
        with self.atomic_path(key) as tmp:
            tmp.write_bytes(data)
        return key

    def write_stream(self, key: str, src: BinaryIO, *, limit: int) -> tuple[int, str]:
        """Copy ``src`` into ``key``; 413 (and nothing kept) past ``limit`` bytes. -> (size, sha256)."""
        digest, size = hashlib.sha256(), 0
        with self.atomic_path(key) as tmp, open(tmp, "wb") as fh:
            while chunk := src.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise PayloadTooLarge(f"upload exceeds the limit of {limit} bytes")
                digest.update(chunk)
                fh.write(chunk)
        return size, digest.hexdigest()

    def listing(self, prefix: str) -> list[tuple[str, float]]:
        """(key, modification time) of every blob under ``prefix``."""
        base = self._local(prefix)
        if not base.is_dir():
            return []
        return sorted(
            (p.relative_to(self.root).as_posix(), p.stat().st_mtime)
            for p in base.rglob("*")
            if p.is_file() and not p.name.startswith(".tmp-")
        )

    def delete(self, key: str | None) -> None:
        if not key:
            return
        path = self._local(key)
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)

    @contextmanager
    def atomic_path(self, key: str) -> Iterator[Path]:
        """A temporary path beside ``key``; renamed to ``key`` when the block ends without error."""
        final = self._local(key)
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


_store: BlobStore | None = None


def get_store() -> BlobStore:
    """The process's store: the local folder, or the bucket of ``LABELQ_STORAGE_URL`` (one client
    per process, made on first use)."""
    global _store
    if _store is None:
        from service.settings import get_settings

        settings = get_settings()
        if settings.storage_url:
            from service.storage_s3 import S3BlobStore

            assert settings.storage_cache_dir is not None
            _store = S3BlobStore(
                settings.storage_url,
                cache_dir=settings.storage_cache_dir,
                cache_max_bytes=settings.storage_cache_mb * 2**20,
                endpoint_url=settings.s3_endpoint_url or None,
                client=settings.s3_client(),
            )
        else:
            _store = BlobStore(settings.blob_dir)
    return _store


def reset() -> None:
    """Forget the store (the settings changed)."""
    global _store
    _store = None
