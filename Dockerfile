FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
WORKDIR /app
# The font the printed 成交确认书 (PDF) is drawn in (settings.PDF_FONT).
RUN apt-get update && apt-get install -y --no-install-recommends fonts-wqy-zenhei && rm -rf /var/lib/apt/lists/*
# Every app (the image used to miss core, conversion, portal and discovery: it could not start);
# .dockerignore keeps out the venv, var/, tests, benchmarks and git.
COPY . .
RUN pip install . && python -c "import jieba; jieba.initialize()"
RUN DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
    python manage.py collectstatic --noinput -v 0
RUN useradd --system market && chown -R market /app
USER market
EXPOSE 8000
# The same image runs web, worker and beat; the command picks the role (see compose.yaml). Only
# the web role pools its database connections (this default command and compose.yaml's web set
# DB_POOL=true; a pool must not be shared into Celery's forked children). config.serve is uvicorn
# with each worker accepting on a socket of its own, so bursts of connections spread over them.
CMD ["env", "DB_POOL=true", "python", "-m", "config.serve", "config.asgi:application", "--host", "0.0.0.0", "--port", "8000", "--workers", "2", "--proxy-headers", "--ws-per-message-deflate", "false"]
