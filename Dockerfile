# Story Bank under gunicorn. docker-compose.yml supplies DATABASE_URL.
FROM python:3.12-slim

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv UV_PYTHON_DOWNLOADS=never UV_COMPILE_BYTECODE=1
WORKDIR /app

# uv, pinned with hashes; then exactly what uv.lock says, without the dev group.
COPY requirements/uv.txt requirements/uv.txt
RUN pip install --require-hashes --no-deps -r requirements/uv.txt
COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-dev --no-cache
ENV PATH=/opt/venv/bin:$PATH

COPY . .
# collectstatic needs settings but no database and no real secret.
RUN SECRET_KEY=build-only DATABASE_URL=postgres://build@localhost/build \
    python manage.py collectstatic --noinput

RUN useradd --create-home storybank && mkdir -p /recordings && chown -R storybank /app /recordings
USER storybank
EXPOSE 8000

# Migrate on start, then serve.
CMD ["sh", "-c", "python manage.py migrate --noinput && python manage.py createcachetable && exec gunicorn config.wsgi --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-3} --access-logfile -"]
