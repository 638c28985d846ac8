"""Receiving files: stream to the blob store under a size limit, before any transaction starts."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from fastapi import UploadFile

from service.api.strict import clean_text
from service.errors import BadInput
from service.settings import get_settings
from service.storage import BlobStore


def safe_filename(raw: str | None) -> str:
    """The last part of a client's file name (no folders), checked for forbidden characters."""
    name = PurePath((raw or "upload").replace("\\", "/")).name or "upload"
    return clean_text(name, "the file name")[:255]


def receive(store: BlobStore, upload: UploadFile) -> tuple[str, str, int, str]:
    """-> (blob key, safe filename, size, sha256). 413 past LABELQ_MAX_UPLOAD_BYTES."""
    name = safe_filename(upload.filename)
    if upload.size is not None and upload.size > get_settings().max_upload_bytes:
        from service.errors import PayloadTooLarge

        raise PayloadTooLarge(f"upload exceeds the limit of {get_settings().max_upload_bytes} bytes")
    key = f"uploads/{uuid.uuid4().hex}"
    size, sha = store.write_stream(key, upload.file, limit=get_settings().max_upload_bytes)
    if size == 0:
        store.delete(key)
        raise BadInput("the uploaded file is empty")
    return key, name, size, sha
