# One image for every Django process in docker-compose.yml: web (the default CMD), the Celery
# worker and beat, and the one-shot init service; compose only swaps the command.
FROM python:3.11-slim-bookworm

# Pango/HarfBuzz are WeasyPrint's native libraries (libharfbuzz-subset0 lets it subset fonts
# natively, far faster than fontTools on a CJK font); fonts-wqy-microhei gives PDFs Chinese glyphs;
# gettext provides msgfmt for compilemessages; node/npm fetch the vendored front-end assets;
# curl serves the compose healthcheck.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 \
        fonts-wqy-microhei gettext nodejs npm curl \
    && rm -rf /var/lib/apt/lists/*

ENV PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    UV_PROJECT_ENVIRONMENT=/app/.venv \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    PATH=/app/.venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=prm.settings.production \
    PRM_DATA_DIR=/app/.data

# A real home lets gunicorn create its control socket (~/.gunicorn) and fontconfig its cache.
RUN pip install --no-cache-dir uv==0.13.8 \
    && groupadd --system app \
    && useradd --system --gid app --create-home --home-dir /home/app app

WORKDIR /app

# Dependency manifests first, so a source-only change reuses these layers.
COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-dev --no-install-project --no-cache

COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

COPY . .

# Both URLs are given so settings skip the embedded servers and nothing connects at build time.
# compilemessages ignores .venv and node_modules, which would otherwise be walked for catalogs.
# /app/.data/media is created here so the `media` named volume inherits app's ownership when
# Docker first populates it.
RUN export DJANGO_SECRET_KEY=build \
        DATABASE_URL=postgres://build@localhost/build \
        REDIS_URL=redis://localhost:6379/0 \
    && python manage.py collectstatic --noinput \
    && python manage.py compilemessages --ignore=.venv --ignore=node_modules \
    && mkdir -p /app/.data/media \
    && chown -R app:app /app/.data

USER app

EXPOSE 8000

CMD ["gunicorn", "prm.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
