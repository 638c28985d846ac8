"""Where a table of image paths finds its images: beside the table, never outside its folder.

``Folder``: a table registered by file:// URI (links out of the folder refused). ``Objects``: a
table registered by s3:// URI, its images the objects under the table's key prefix (read by the
worker from the object store). Both give ``(size, read)`` for a path relative to the table, or
raise ``ValueError`` with the reason."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

Found = tuple[int, Callable[[int], bytes]]  # size, and read(at most n bytes)


def _relative(rel: str) -> PurePosixPath:
    path = PurePosixPath(rel.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ValueError("points outside the table's folder")
    return path


@dataclass(frozen=True)
class Folder:
    root: Path

    def find(self, rel: str) -> Found:
        base = self.root.resolve()
        file = (base / _relative(rel)).resolve()
        if base not in file.parents:
            raise ValueError("points outside the table's folder")
        if not file.is_file():
            raise ValueError("is not a file beside the table")

        def read(limit: int) -> bytes:
            with open(file, "rb") as fh:
                return fh.read(limit)

        return file.stat().st_size, read


@dataclass(frozen=True)
class Objects:
    client: Any  # boto3's S3 client
    bucket: str
    prefix: str  # the table's key without its name ("" at the bucket's top)

    def find(self, rel: str) -> Found:
        key = str(PurePosixPath(self.prefix) / _relative(rel)) if self.prefix else str(_relative(rel))
        try:
            size = int(self.client.head_object(Bucket=self.bucket, Key=key)["ContentLength"])
        except Exception:
            raise ValueError("is not an object beside the table") from None

        def read(limit: int) -> bytes:
            body = self.client.get_object(Bucket=self.bucket, Key=key, Range=f"bytes=0-{limit - 1}")["Body"]
            return bytes(body.read())

        return size, read
