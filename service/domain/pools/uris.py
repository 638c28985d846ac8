"""Pools registered by URI, read by the worker that imports it, never sent through the API: a
pool larger than one request gets in (a 1e6 x 512 float32 .npy is 2 GB).

- ``file:///path`` to a file under one of ``LABELQ_DATA_ROOTS`` that is a folder (on the workers'
  filesystem, e.g. a shared volume), read in place;
- ``s3://bucket/key`` under one of ``LABELQ_DATA_ROOTS`` that is ``s3://bucket[/prefix]`` (the
  object store of ``LABELQ_S3_ENDPOINT_URL`` and its keys), downloaded by the worker to a
  temporary file.

Checked by the API when registered and again by the worker before it reads (its own roots).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlparse

from service.domain.pools.archives import TAR_SUFFIXES
from service.errors import BadInput

SUFFIXES = (".npz", ".npy", ".safetensors", ".zip", *TAR_SUFFIXES, ".parquet", ".arrow", ".feather")


@dataclass(frozen=True)
class Source:
    """Where a registered pool is: a local file, or an object (bucket, key)."""

    uri: str
    path: Path | None = None
    bucket: str = ""
    key: str = ""

    @property
    def name(self) -> str:
        return self.path.name if self.path is not None else PurePosixPath(self.key).name


def check_suffix(name: str) -> None:
    if not name.lower().endswith(SUFFIXES):
        suffix = PurePosixPath(name).suffix.lower()
        raise BadInput(f"unsupported file type {suffix!r}; use one of {', '.join(SUFFIXES)}")


def _file(uri: str, netloc: str, raw_path: str, roots: list[str]) -> Source:
    if netloc not in ("", "localhost"):
        raise BadInput(f"a file:// URI names a local path (file:///path/to/pool.npy), got {uri[:200]!r}")
    path = Path(unquote(raw_path)).resolve()
    allowed = [Path(r).resolve() for r in roots if not r.startswith("s3://")]
    if not any(path == root or root in path.parents for root in allowed):
        raise BadInput(f"{path} is not under an allowed data root ({', '.join(map(str, allowed)) or 'none'})")
    check_suffix(path.name)
    if not path.is_file():
        raise BadInput(f"{path} is not a file")
    return Source(path.as_uri(), path=path)


def _object(uri: str, bucket: str, raw_key: str, roots: list[str]) -> Source:
    key = unquote(raw_key).lstrip("/")
    parts = PurePosixPath(key).parts
    if not bucket or not key or ".." in parts or "." in parts:
        raise BadInput(f"an s3:// URI names s3://bucket/key, got {uri[:200]!r}")
    for root in (r for r in roots if r.startswith("s3://")):
        root_bucket, _, prefix = root[len("s3://") :].partition("/")
        prefix = prefix.strip("/")
        if bucket == root_bucket and (not prefix or key.startswith(prefix + "/")):
            check_suffix(key)
            return Source(f"s3://{bucket}/{key}", bucket=bucket, key=key)
    raise BadInput(f"s3://{bucket}/{key} is not under an allowed data root")


def resolve(uri: str, roots: list[str]) -> Source:
    """The pool ``uri`` names, if it lies under one of ``roots``; BadInput otherwise (nothing read)."""
    if not roots:
        raise BadInput("no LABELQ_DATA_ROOTS are configured: pools can only be uploaded")
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        return _file(uri, parsed.netloc, parsed.path, roots)
    if parsed.scheme == "s3":
        return _object(uri, parsed.netloc, parsed.path, roots)
    raise BadInput(f"pools are registered by file:// or s3:// URI, got {uri[:200]!r}")


def check_exists(source: Source, client: Any) -> None:
    """An object that is not there is the caller's 400, before any job (``client``: boto3's)."""
    if source.path is not None:
        return
    try:
        client.head_object(Bucket=source.bucket, Key=source.key)
    except Exception as exc:
        raise BadInput(f"{source.uri} cannot be read from the object store ({type(exc).__name__})") from None


@contextmanager
def local_copy(source: Source, client: Any) -> Iterator[Path]:
    """A path to read: the file itself, or the object downloaded to a temporary file (streamed)."""
    if source.path is not None:
        yield source.path
        return
    with tempfile.TemporaryDirectory(prefix="labelq-uri-") as folder:
        path = Path(folder) / source.name
        client.download_file(source.bucket, source.key, str(path))
        yield path
