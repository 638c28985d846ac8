"""Celery workers: thin tasks (payload of ids -> load rows -> models/ -> persist)."""
