# One image for the api, the worker and the migration step (docker-compose.yml picks the command).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 LABELQ_DATA_DIR=/data
WORKDIR /app

# torch first: its large layer stays cached while the project changes.
RUN pip install torch==2.14.1 torchvision==0.29.1

COPY pyproject.toml README.md ./
COPY service ./service
COPY workers ./workers
COPY models ./models
COPY migrations ./migrations
RUN pip install '.[ml,s3]' && useradd --create-home labelq && mkdir -p /data && chown labelq /data

USER labelq
VOLUME ["/data"]
EXPOSE 8000
CMD ["labelq", "serve", "--host", "0.0.0.0", "--port", "8000"]
