# Coalesce: one image for the web app (`coalesce serve`) and the worker (`coalesce worker`).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    COALESCE_ENVIRONMENT=production \
    COALESCE_DATABASE_URL=sqlite:////data/coalesce.db

RUN useradd --create-home --uid 10001 coalesce && mkdir /data && chown coalesce /data
WORKDIR /srv/coalesce

COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
RUN pip install --no-cache-dir -e .

USER coalesce
VOLUME ["/data"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"

CMD ["coalesce", "serve", "--host", "0.0.0.0", "--port", "8000"]
