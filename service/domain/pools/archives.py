"""Image archives (.zip): class folders ``<class>/<file>`` or a ``manifest.csv`` (path,label[,id]);
unlabeled (a target pool): images outside class folders, or a manifest whose label column is empty
or absent. Images are kept as uint8.

Refused: members outside the root (absolute, ``..``, links), more members or more uncompressed
bytes than the configured limits (archive bombs), unreadable images, unknown class names.
"""

from __future__ import annotations

import csv
import io
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

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


def _check_members(zf: zipfile.ZipFile, limits: ArchiveLimits) -> list[zipfile.ZipInfo]:
    infos = zf.infolist()
    if len(infos) > limits.max_members:
        raise InvalidPool(f"archive has {len(infos)} members, more than the limit {limits.max_members}")
    total = 0
    for info in infos:
        safe_member_name(info.filename)
        if stat.S_ISLNK(info.external_attr >> 16):
            raise InvalidPool(f"archive member {info.filename!r} is a link")
        if info.file_size > limits.max_member_bytes:
            raise InvalidPool(
                f"archive member {info.filename!r} expands to {info.file_size} bytes, more than the "
                f"limit of {limits.max_member_bytes} for one image"
            )
        total += info.file_size
        if total > limits.max_bytes:
            raise InvalidPool(f"archive expands beyond the limit of {limits.max_bytes} bytes")
    return [i for i in infos if not i.is_dir()]


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    try:
        with zf.open(info) as fh:  # headers can lie: never read more than declared
            data = fh.read(info.file_size + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:  # corrupt or lying
        reason = f"{type(exc).__name__}: {exc}"
        raise InvalidPool(f"archive member {info.filename!r} is corrupt ({reason})") from exc
    if len(data) > info.file_size:
        raise InvalidPool(f"archive member {info.filename!r} is larger than its header says")
    return data


def _decode_image(data: bytes, name: str, shape: list[int]) -> np.ndarray:
    from PIL import Image, UnidentifiedImageError

    if len(shape) != 3 or shape[0] not in (1, 3):
        raise InvalidPool(f"image archives need an input shape [1|3, H, W], the project has {shape}")
    channels, height, width = shape
    try:
        with Image.open(io.BytesIO(data)) as img:
            img = img.convert("L" if channels == 1 else "RGB").resize((width, height))
            arr = np.asarray(img, dtype=np.uint8)  # stored as uint8, read by workers as / 255
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise InvalidPool(f"archive member {name!r} is not a readable image ({exc})") from exc
    return arr[None] if channels == 1 else arr.transpose(2, 0, 1)


def _entries(
    zf: zipfile.ZipFile, files: list[zipfile.ZipInfo], classes: list[str]
) -> list[tuple[str, str, int | None]]:
    """(member, external_id, label or None) from the manifest or from the folders."""
    by_name = {str(safe_member_name(i.filename)): i for i in files}
    index = {name: k for k, name in enumerate(classes)}
    manifest = by_name.get("manifest.csv")
    if manifest is not None:
        rows = csv.DictReader(io.StringIO(_read_member(zf, manifest).decode("utf-8-sig")))
        out: list[tuple[str, str, int | None]] = []
        for row in rows:
            member = str(safe_member_name(row.get("path") or ""))
            label = (row.get("label") or "").strip()
            if member not in by_name:
                raise InvalidPool(f"manifest names {member!r}, which is not in the archive")
            if label and label not in index:
                raise InvalidPool(f"manifest label {label!r} is not one of the project's classes")
            out.append((member, row.get("id") or member, index[label] if label else None))
        return out
    out = []
    for name in sorted(by_name):
        path = PurePosixPath(name)
        if path.suffix.lower() not in IMAGE_SUFFIXES:
            continue
        folder = path.parts[-2] if len(path.parts) >= 2 else ""
        out.append((name, name, index.get(folder)))
    return out


def _labels(entries: list[tuple[str, str, int | None]], classes: list[str]) -> np.ndarray | None:
    """Every image labeled (class folders, a label on every manifest row), or none (an unlabeled
    pool: flat folders, a manifest without labels); a mix is refused."""
    missing = [m for m, _, label in entries if label is None]
    if not missing:
        return np.array([label for _, _, label in entries], dtype=np.int64)
    if len(missing) == len(entries):
        return None
    raise InvalidPool(
        f"{len(missing)} of {len(entries)} images have no class (e.g. {missing[0]!r}): put every image in a "
        f"folder named after one of the classes {classes} (or give every manifest row a label), or none"
    )


def read_image_archive(
    path: Path, *, shape: list[int], classes: list[str], limits: ArchiveLimits
) -> dict[str, np.ndarray]:
    try:
        zf = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise InvalidPool(f"not a zip archive ({exc})") from exc
    with zf:
        files = _check_members(zf, limits)
        entries = _entries(zf, files, classes)
        if not entries:
            raise InvalidPool("the archive holds no images")
        y = _labels(entries, classes)
        x = np.stack([_decode_image(_read_member(zf, zf.getinfo(m)), m, shape) for m, _, _ in entries])
    ids = np.array([ext for _, ext, _ in entries])
    return {"x": x, "ids": ids} if y is None else {"x": x, "y": y, "ids": ids}
