"""Receiving files: stream to the blob store under a size limit, before any transaction starts."""

from __future__ import annotations

import uuid
from pathlib import PurePath

from fastapi import UploadFile

from service.api.strict import clean_text
from service.errors import BadInput
from service.settings import get_settings
from service.storage import BlobStore


def receive(store: BlobStore, upload: UploadFile) -> tuple[str, str, int, str]:
    """-> (blob key, safe filename, size, sha256). 413 past LABELQ_MAX_UPLOAD_BYTES."""
    name = PurePath((upload.filename or "upload").replace("\\", "/")).name or "upload"
    name = clean_text(name, "the file name")[:255]
    if upload.size is not None and upload.size > get_settings().max_upload_bytes:
        from service.errors import PayloadTooLarge

        raise PayloadTooLarge(f"upload exceeds the limit of {get_settings().max_upload_bytes} bytes")
    key = f"uploads/{uuid.uuid4().hex}"
    size, sha = store.write_stream(key, upload.file, limit=get_settings().max_upload_bytes)
    if size == 0:
        store.delete(key)
        raise BadInput("the uploaded file is empty")
    return key, name, size, sha
