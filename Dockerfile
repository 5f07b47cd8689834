# Threadline: the same start-up path as `make run` and the tests — `threadline serve` with
# DATABASE_URL (the schema is migrated on start; demo data goes into an empty store unless
# LOAD_DEMO_DATA=false).
#
#   docker build -t threadline .
#   docker run -p 8000:8000 -e DATABASE_URL=postgresql://user:pass@db:5432/threadline threadline

# --- build: install the pinned dependencies and the package into a virtualenv --------------
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY requirements.lock ./
RUN pip install --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install --no-deps .

# --- run: the virtualenv only, as an unprivileged user ---------------------------------------
FROM python:3.11-slim
RUN useradd --system --create-home --uid 10001 threadline \
    && mkdir -p /data && chown threadline /data
COPY --from=build /opt/venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    DATA_DIR=/data \
    LOG_FORMAT=json
USER threadline
WORKDIR /home/threadline
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
    CMD python -c "import urllib.request, sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2).status == 200 else 1)"
ENTRYPOINT ["threadline"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
