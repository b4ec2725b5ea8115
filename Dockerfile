# optally: the project image for Prefect workers (docker-compose.yml, docs/DEPLOY.md).
# Not built on the machine this was written on (no Docker there); a test checks its shape.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    # prefect.yaml's pull step changes into $OPTALLY_HOME before importing the entrypoint.
    OPTALLY_HOME=/app \
    PREFECT_SERVER_ANALYTICS_ENABLED=false

WORKDIR /app

# Dependencies first, so a code change does not reinstall them. (psycopg[binary], lxml
# and pyarrow ship wheels for linux/amd64 and arm64: no compiler is needed.)
COPY pyproject.toml README.md ./
COPY config ./config
COPY db ./db
COPY tasks ./tasks
COPY profiles ./profiles
COPY domain ./domain
COPY flows ./flows
COPY app ./app
COPY measure ./measure
COPY prefect.yaml ./
RUN pip install -e ".[dask]" \
    && useradd --create-home --uid 10001 optally \
    && mkdir -p /app/data \
    && chown -R optally /app/data

USER optally

# The default command is a process worker; docker-compose.yml passes its own.
CMD ["prefect", "worker", "start", "--pool", "local-process"]
