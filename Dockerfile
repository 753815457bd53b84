# syntax=docker/dockerfile:1
# auditor: audits live AWS accounts for the ways ECS Fargate tasks break on the network.
#
#   docker build -t auditor .
#   docker run -v auditor-data:/var/lib/auditor auditor            # `auditor serve`
#   docker run auditor scan --demo                                 # any other command
#
# Behind a TLS-intercepting proxy, pass its CA bundle as a build secret:
#   docker build --secret id=ca,src=/path/to/ca-bundle.crt -t auditor .
# BASE must be a Debian-based image with python3 (3.11+) and its venv module.
ARG BASE=python:3.12-slim

FROM ${BASE} AS build
ARG UV_VERSION=0.13.9
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_NO_CACHE=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/opt/auditor
SHELL ["/bin/sh", "-eu", "-c"]
# One step, one layer: uv (kept in this stage only), then exactly the locked dependencies and
# the project into /opt/auditor, from the build context mounted read-write (writes discarded).
WORKDIR /src
RUN --mount=type=secret,id=ca,target=/run/secrets/ca \
    --mount=type=bind,target=/src,rw \
    if [ -f /run/secrets/ca ]; then export PIP_CERT=/run/secrets/ca SSL_CERT_FILE=/run/secrets/ca; fi; \
    python3 -m venv /opt/uv \
    && /opt/uv/bin/pip install --quiet "uv==${UV_VERSION}" \
    && python3 -m venv /opt/auditor \
    && /opt/uv/bin/uv sync --locked --no-dev --no-editable --quiet --python /opt/auditor/bin/python3

FROM ${BASE}
LABEL org.opencontainers.image.title="auditor" \
      org.opencontainers.image.description="Audits AWS accounts for ECS Fargate network failures" \
      org.opencontainers.image.licenses="Apache-2.0"
SHELL ["/bin/sh", "-eu", "-c"]
RUN groupadd --gid 10001 auditor \
    && useradd --uid 10001 --gid auditor --no-create-home --home-dir /var/lib/auditor \
       --shell /usr/sbin/nologin auditor \
    && mkdir -p /var/lib/auditor \
    && chown auditor:auditor /var/lib/auditor
COPY --from=build /opt/auditor /opt/auditor
ENV PATH=/opt/auditor/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOME=/var/lib/auditor \
    AUDITOR_DATABASE_URL=sqlite:////var/lib/auditor/auditor.db \
    AUDITOR_HEALTH_PORT=8080
WORKDIR /var/lib/auditor
# The SQLite store (and anything else kept between runs); use PostgreSQL for several replicas.
VOLUME ["/var/lib/auditor"]
USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:' + os.environ.get('AUDITOR_HEALTH_PORT', '8080') + '/healthz', timeout=4)"]
ENTRYPOINT ["auditor"]
CMD ["serve"]
