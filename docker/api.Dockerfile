# The API image: FastAPI, the database and the broker client, no torch (the API never imports it).
# Also runs `labelq migrate` (the compose stack's migrate step).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LABELQ_DATA_DIR=/data
WORKDIR /app

COPY pyproject.toml README.md ./
COPY service ./service
COPY migrations ./migrations
# the project itself is the pin (pyproject.toml's ranges)
# hadolint ignore=DL3013
RUN pip install '.[s3]' \
    && useradd --create-home --uid 10001 labelq && mkdir -p /data && chown labelq /data

USER 10001
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 CMD ["labelq", "health"]
CMD ["labelq", "serve", "--host", "0.0.0.0", "--port", "8000"]
