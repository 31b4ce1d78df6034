# syntax=docker/dockerfile:1
# fare-service: the HTTP API and the agents' form. Stateless: run as many replicas as needed.

FROM python:3.11-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY fare_service ./fare_service
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir .

FROM python:3.11-slim-bookworm AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    FARE_SERVICE_TARIFF_DIR=/srv/fare-service/tariffs \
    FARE_SERVICE_WORKERS=2
RUN groupadd --system --gid 10001 fare \
    && useradd --system --uid 10001 --gid fare --home-dir /srv/fare-service fare
COPY --from=build /opt/venv /opt/venv
# Tariffs are baked in; mount a folder over /srv/fare-service/tariffs (or point
# FARE_SERVICE_TARIFF_DIR / FARE_SERVICE_TEMPLATES_DIR elsewhere) to override them.
COPY --chown=fare:fare tariffs /srv/fare-service/tariffs
WORKDIR /srv/fare-service
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import urllib.request,sys; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status != 200)"]
CMD ["sh", "-c", "exec fare-service serve --host 0.0.0.0 --port 8000 --workers \"$FARE_SERVICE_WORKERS\""]
