"""An item of an image pool as a PNG (the dashboard's thumbnails): its row of the pool's array,
read through a memory map, scaled to 0-255 per image and enlarged to a size a person can see."""

from __future__ import annotations

import io
import math

import numpy as np
from PIL import Image

from service.errors import Conflict
from service.storage import BlobStore


def is_image(shape: list[int]) -> bool:
    """[H, W], [1, H, W] or [3, H, W]: an image; anything else (embeddings, tables) is not."""
    return len(shape) == 2 or (len(shape) == 3 and shape[0] in (1, 3))


def png(store: BlobStore, blob: str, row: int, shape: list[int], size: int) -> bytes:
    """Row ``row`` of the array ``blob`` as a PNG whose longer side is about ``size`` pixels."""
    if not is_image(shape):
        raise Conflict(f"items of shape {shape} are not images (an image is [H, W] or [C, H, W], C 1 or 3)")
    x = np.asarray(np.load(store.path(blob), mmap_mode="r", allow_pickle=False)[row], dtype=np.float32)
    x = x.reshape(shape[-2:]) if len(shape) == 2 or shape[0] == 1 else np.moveaxis(x, 0, -1)
    lo, hi = float(np.nanmin(x)), float(np.nanmax(x))
    pixels = np.clip((x - lo) / (hi - lo if hi > lo else 1.0) * 255.0, 0, 255).astype(np.uint8)
    image = Image.fromarray(pixels)
    scale = max(1, math.floor(size / max(image.size)))
    if scale > 1:  # nearest: small images stay crisp
        image = image.resize((image.width * scale, image.height * scale), Image.Resampling.NEAREST)
    elif max(image.size) > size:
        image.thumbnail((size, size))
    buf = io.BytesIO()
    image.save(buf, format="PNG")
    return buf.getvalue()
