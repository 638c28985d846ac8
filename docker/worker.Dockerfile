# The worker image: torch, the models and the Celery tasks. TORCH_INDEX picks the torch build:
# empty (default) = PyPI's wheel, which bundles CUDA (the `gpu` profile); the compose file's CPU
# worker builds with https://download.pytorch.org/whl/cpu (no CUDA libraries, a much smaller image).
FROM python:3.11-slim

ARG TORCH_INDEX=""
# labelq plugins to install on the worker (pip requirement specifiers, space-separated), e.g.
# --build-arg PLUGINS="my-labelq-plugin==1.2": each worker publishes what they register when it starts
ARG PLUGINS=""
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    LABELQ_DATA_DIR=/data
WORKDIR /app

# torch first: its large layer stays cached while the project changes (pinned; hadolint cannot
# read the pins past the optional --index-url)
# hadolint ignore=DL3013
RUN pip install ${TORCH_INDEX:+--index-url "$TORCH_INDEX"} torch==2.14.1 torchvision==0.29.1

COPY pyproject.toml README.md ./
COPY service ./service
COPY workers ./workers
COPY models ./models
COPY migrations ./migrations
# the project itself is the pin (pyproject.toml's ranges); torch is already there
# hadolint ignore=DL3013,SC2086
RUN pip install '.[ml,s3,timm,parquet]' \
    && if [ -n "$PLUGINS" ]; then pip install $PLUGINS; fi \
    && useradd --create-home --uid 10001 labelq && mkdir -p /data && chown labelq /data

USER 10001
HEALTHCHECK --interval=30s --timeout=10s --start-period=60s --retries=3 CMD ["labelq", "health", "--worker"]
CMD ["labelq", "worker", "--concurrency", "1"]
