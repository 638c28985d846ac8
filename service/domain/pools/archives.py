"""Image archives (.zip, .tar and its gzip/bzip2/xz forms): class folders ``<class>/<file>`` or
a ``manifest.csv`` (path,label[,id]); unlabeled (a target pool): images outside class folders,
or a manifest whose label column is empty or absent. Images are kept as uint8.

Refused: members outside the root (absolute, ``..``, links), more members or more uncompressed
bytes than the configured limits (archive bombs), unreadable images, unknown class names.
"""

from __future__ import annotations

import csv
import io
import lzma
import stat
import tarfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO

import numpy as np

from service.errors import InvalidPool

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp"}


@dataclass(frozen=True)
class ArchiveLimits:
    max_members: int
    max_bytes: int
    max_member_bytes: int = 64 * 1024 * 1024  # one image; a larger one is an attack, not a photo


def safe_member_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        raise InvalidPool(f"archive member {name!r} points outside the archive root")
    return path


@dataclass(frozen=True)
class Member:
    name: str
    size: int  # uncompressed bytes, as the header says
    is_dir: bool
    is_link: bool  # a symbolic or hard link, or anything else that is not a plain file or folder


class _Zip:
    errors = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError)

    def __init__(self, path: Path) -> None:
        try:
            self._zf = zipfile.ZipFile(path)
        except zipfile.BadZipFile as exc:
            raise InvalidPool(f"not a zip archive ({exc})") from exc

    def members(self) -> Iterator[Member]:
        for i in self._zf.infolist():
            yield Member(i.filename, i.file_size, i.is_dir(), stat.S_ISLNK(i.external_attr >> 16))

    def open(self, name: str) -> IO[bytes]:
        return self._zf.open(name)

    def close(self) -> None:
        self._zf.close()


class _Tar:
    errors = (tarfile.TarError, zlib.error, lzma.LZMAError, EOFError, OSError)

    def __init__(self, path: Path) -> None:
        try:
            self._tf = tarfile.open(path, "r:*")  # noqa: SIM115  (closed by close(); plain, gz, bz2 or xz)
        except (tarfile.TarError, OSError, EOFError, lzma.LZMAError) as exc:
            raise InvalidPool(f"not a tar archive ({type(exc).__name__}: {exc})") from exc
        self._by_name: dict[str, tarfile.TarInfo] = {}

    def members(self) -> Iterator[Member]:
        try:
            for i in self._tf:  # headers one by one: the member limit stops a bomb early
                self._by_name[i.name] = i
                yield Member(i.name, i.size, i.isdir(), not (i.isfile() or i.isdir()))
        except self.errors as exc:
            raise InvalidPool(f"the tar archive is corrupt ({type(exc).__name__}: {exc})") from exc

    def open(self, name: str) -> IO[bytes]:
        fh = self._tf.extractfile(self._by_name[name])
        assert fh is not None  # plain files only reach here
        return fh

    def close(self) -> None:
        self._tf.close()


TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")


def archive_suffix(filename: str) -> str | None:
    """ ".zip" or the tar suffix ``filename`` ends with (".tar.gz"), or None: not an image archive."""
    lower = filename.lower()
    return next((s for s in (".zip", *TAR_SUFFIXES) if lower.endswith(s)), None)


def _check_members(archive: _Zip | _Tar, limits: ArchiveLimits) -> list[Member]:
    files, total = [], 0
    for count, member in enumerate(archive.members(), start=1):
        if count > limits.max_members:
            raise InvalidPool(f"archive has more members than the limit {limits.max_members}")
        safe_member_name(member.name)
        if member.is_link:
            raise InvalidPool(f"archive member {member.name!r} is a link or not a plain file")
        if member.size > limits.max_member_bytes:
            raise InvalidPool(
                f"archive member {member.name!r} expands to {member.size} bytes, more than the "
                f"limit of {limits.max_member_bytes} for one image"
            )
        total += member.size
        if total > limits.max_bytes:
            raise InvalidPool(f"archive expands beyond the limit of {limits.max_bytes} bytes")
        if not member.is_dir:
            files.append(member)
    return files


def _read_member(archive: _Zip | _Tar, member: Member) -> bytes:
    try:
        with archive.open(member.name) as fh:  # headers can lie: never read more than declared
            data = fh.read(member.size + 1)
    except archive.errors as exc:  # corrupt or lying
        reason = f"{type(exc).__name__}: {exc}"
        raise InvalidPool(f"archive member {member.name!r} is corrupt ({reason})") from exc
    if len(data) != member.size:
        raise InvalidPool(f"archive member {member.name!r} does not hold the size its header says")
    return data


def decode_image(data: bytes, name: str, shape: list[int]) -> np.ndarray:
    from PIL import Image, UnidentifiedImageError

    if len(shape) != 3 or shape[0] not in (1, 3):
        raise InvalidPool(f"image archives need an input shape [1|3, H, W], the project has {shape}")
    channels, height, width = shape
    try:
        with Image.open(io.BytesIO(data)) as img:
            img = img.convert("L" if channels == 1 else "RGB").resize((width, height))
            arr = np.asarray(img, dtype=np.uint8)  # stored as uint8, read by workers as / 255
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise InvalidPool(f"{name!r} is not a readable image ({exc})") from exc
    return arr[None] if channels == 1 else arr.transpose(2, 0, 1)


def _entries(
    archive: _Zip | _Tar, files: list[Member], classes: list[str]
) -> list[tuple[Member, str, int | None]]:
    """(member, external_id, label or None) from the manifest or from the folders."""
    by_name = {str(safe_member_name(m.name)): m for m in files}
    index = {name: k for k, name in enumerate(classes)}
    manifest = by_name.get("manifest.csv")
    if manifest is not None:
        rows = csv.DictReader(io.StringIO(_read_member(archive, manifest).decode("utf-8-sig")))
        out: list[tuple[Member, str, int | None]] = []
        for row in rows:
            member = str(safe_member_name(row.get("path") or ""))
            label = (row.get("label") or "").strip()
            if member not in by_name:
                raise InvalidPool(f"manifest names {member!r}, which is not in the archive")
            if label and label not in index:
                raise InvalidPool(f"manifest label {label!r} is not one of the project's classes")
            out.append((by_name[member], row.get("id") or member, index[label] if label else None))
        return out
    out = []
    for name in sorted(by_name):
        path = PurePosixPath(name)
        if path.suffix.lower() not in IMAGE_SUFFIXES:
            continue
        folder = path.parts[-2] if len(path.parts) >= 2 else ""
        out.append((by_name[name], name, index.get(folder)))
    return out


def _labels(entries: list[tuple[Member, str, int | None]], classes: list[str]) -> np.ndarray | None:
    """Every image labeled (class folders, a label on every manifest row), or none (an unlabeled
    pool: flat folders, a manifest without labels); a mix is refused."""
    missing = [m.name for m, _, label in entries if label is None]
    if not missing:
        return np.array([label for _, _, label in entries], dtype=np.int64)
    if len(missing) == len(entries):
        return None
    raise InvalidPool(
        f"{len(missing)} of {len(entries)} images have no class (e.g. {missing[0]!r}): put every image in a "
        f"folder named after one of the classes {classes} (or give every manifest row a label), or none"
    )


def read_image_archive(
    path: Path, suffix: str, *, shape: list[int], classes: list[str], limits: ArchiveLimits
) -> dict[str, np.ndarray]:
    """x (uint8), ids and, for a labeled archive, y from a .zip or a (compressed) tar."""
    archive = _Zip(path) if suffix == ".zip" else _Tar(path)
    try:
        files = _check_members(archive, limits)
        entries = _entries(archive, files, classes)
        if not entries:
            raise InvalidPool("the archive holds no images")
        y = _labels(entries, classes)
        x = np.stack([decode_image(_read_member(archive, m), m.name, shape) for m, _, _ in entries])
    finally:
        archive.close()
    ids = np.array([ext for _, ext, _ in entries])
    return {"x": x, "ids": ids} if y is None else {"x": x, "y": y, "ids": ids}
