"""Blobs in an S3-compatible bucket, with a local read cache on every host.

Keys are the local store's (``pools/3/x.npy``) under an optional prefix. Reads that need a file
(memory maps, safetensors) go through :meth:`S3BlobStore.path`: a download into the host's cache
folder (streamed to disk, never held in memory), checked against the object's ETag so a replaced
blob is fetched again, and evicted least-recently-used past ``cache_max_bytes``. Writes stream
from a local file (multipart above 8 MiB) and leave the written file in the cache. API and
workers share nothing but the bucket.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from service.storage import CHUNK, BlobStore

_ETAG = ".etag"


def parse_url(url: str) -> tuple[str, str]:
    """``s3://bucket/some/prefix`` -> (``bucket``, ``some/prefix/``)."""
    if not url.startswith("s3://") or len(url) <= len("s3://"):
        raise ValueError(f"LABELQ_STORAGE_URL must look like s3://bucket[/prefix], got {url!r}")
    bucket, _, prefix = url[len("s3://") :].partition("/")
    prefix = prefix.strip("/")
    return bucket, f"{prefix}/" if prefix else ""


class S3BlobStore(BlobStore):
    """The :class:`service.storage.BlobStore` interface on a bucket (boto3; endpoint from
    settings; ``client``: one made with keys, ``Settings.s3_client``, else the usual AWS chain).
    Its local root is the host's cache."""

    def __init__(
        self,
        url: str,
        *,
        cache_dir: Path,
        cache_max_bytes: int,
        endpoint_url: str | None = None,
        client: Any = None,
    ) -> None:
        import boto3
        from boto3.s3.transfer import TransferConfig

        super().__init__(cache_dir)
        self.bucket, self.prefix = parse_url(url)
        self.client = client or boto3.client("s3", endpoint_url=endpoint_url or None)
        self.cache_max_bytes = cache_max_bytes
        self.transfer = TransferConfig(multipart_threshold=8 * CHUNK, multipart_chunksize=8 * CHUNK)

    def ensure_bucket(self) -> bool:
        """Create the bucket when it is missing (``labelq migrate``); True when it was made."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
            return False
        except Exception as exc:
            if not self._missing(exc):
                raise
        self.client.create_bucket(Bucket=self.bucket)
        return True

    # ---------------------------------------------------------------- keys

    def _name(self, key: str) -> str:
        self._local(key)  # the same key rules as the local store: nothing outside the root
        return self.prefix + key.strip("/")

    def _missing(self, exc: Exception) -> bool:
        from botocore.exceptions import ClientError

        return isinstance(exc, ClientError) and exc.response.get("Error", {}).get("Code") in (
            "404",
            "NoSuchKey",
            "NotFound",
        )

    # ---------------------------------------------------------------- reads

    def _etag(self, key: str) -> str | None:
        try:
            return str(self.client.head_object(Bucket=self.bucket, Key=self._name(key))["ETag"])
        except Exception as exc:
            if self._missing(exc):
                return None
            raise

    def exists(self, key: str) -> bool:
        return self._etag(key) is not None

    def path(self, key: str) -> Path:
        """A local file holding the blob: the cached copy when its ETag is current, else a fresh
        download. FileNotFoundError when the bucket has no such key."""
        etag = self._etag(key)
        local = self._local(key)
        if etag is None:
            self._drop_cached(key)
            raise FileNotFoundError(f"no blob {key!r} in s3://{self.bucket}/{self.prefix}")
        if local.is_file() and _read_etag(local) == etag:
            os.utime(local)  # recently used: evicted last
            return local
        with super().atomic_path(key) as tmp:
            self.client.download_file(self.bucket, self._name(key), str(tmp), Config=self.transfer)
        _write_etag(local, etag)
        self._evict(keep=local)
        return local

    def read_bytes(self, key: str) -> bytes:
        return self.path(key).read_bytes()

    def listing(self, prefix: str) -> list[tuple[str, float]]:
        """(key, modification time) of every blob under ``prefix``."""
        out: list[tuple[str, float]] = []
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=self.bucket, Prefix=self._name(prefix).rstrip("/") + "/"
        )
        for page in pages:
            for obj in page.get("Contents", []):
                modified: datetime = obj["LastModified"]
                out.append((obj["Key"][len(self.prefix) :], modified.timestamp()))
        return sorted(out)

    # ---------------------------------------------------------------- writes

    @contextmanager
    def atomic_path(self, key: str) -> Iterator[Path]:
        """A local path to write; uploaded to ``key`` when the block ends without error (and kept
        in the cache). Readers never see a partial object: S3 publishes an upload whole."""
        with super().atomic_path(key) as tmp:
            yield tmp
            self.client.upload_file(str(tmp), self.bucket, self._name(key), Config=self.transfer)
        local = self._local(key)
        etag = self._etag(key)
        if etag is not None:
            _write_etag(local, etag)
        self._evict(keep=local)

    def delete(self, key: str | None) -> None:
        """Delete a blob, or every blob under a folder-like key (``outputs/ckpt-3``)."""
        if not key:
            return
        names = [self._name(key), *(self.prefix + k for k, _ in self.listing(key))]
        for start in range(0, len(names), 1000):
            batch = [{"Key": n} for n in names[start : start + 1000]]
            self.client.delete_objects(Bucket=self.bucket, Delete={"Objects": batch, "Quiet": True})
        self._drop_cached(key)

    # ---------------------------------------------------------------- cache

    def _drop_cached(self, key: str) -> None:
        local = self._local(key)
        if local.is_dir():
            shutil.rmtree(local, ignore_errors=True)
        else:
            local.unlink(missing_ok=True)
            _etag_path(local).unlink(missing_ok=True)

    def _evict(self, keep: Path) -> None:
        """Least recently used cached blobs go until the cache fits its cap (``keep`` stays).
        A blob a process still has memory-mapped stays readable by it after the unlink."""
        files = [p for p in self.root.rglob("*") if p.is_file() and _is_blob(p)]
        total = sum(p.stat().st_size for p in files)
        for p in sorted(files, key=lambda f: f.stat().st_mtime):
            if total <= self.cache_max_bytes:
                break
            if p == keep:
                continue
            total -= p.stat().st_size
            p.unlink(missing_ok=True)
            _etag_path(p).unlink(missing_ok=True)


def _is_blob(local: Path) -> bool:
    return not local.name.endswith(_ETAG) and not local.name.startswith(".tmp-")


def _etag_path(local: Path) -> Path:
    return local.with_name(local.name + _ETAG)


def _read_etag(local: Path) -> str | None:
    try:
        return _etag_path(local).read_text()
    except FileNotFoundError:
        return None


def _write_etag(local: Path, etag: str) -> None:
    _etag_path(local).write_text(etag)
