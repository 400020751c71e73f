FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=klimaalliance.settings.production

# WeasyPrint needs pango and harfbuzz; gettext compiles the Danish catalogue.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
    libharfbuzz-subset0 fonts-dejavu-core gettext curl \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
RUN pip install --no-cache-dir .
COPY . .
RUN SECRET_KEY=build-only python manage.py compilemessages \
 && SECRET_KEY=build-only python manage.py collectstatic --noinput \
 && useradd --system --home /app klima && mkdir -p /data/media /data/private-media && chown klima /data/media /data/private-media
USER klima

EXPOSE 8000
CMD ["gunicorn", "klimaalliance.wsgi", "--bind", "0.0.0.0:8000", "--workers", "2", "--access-logfile", "-"]
