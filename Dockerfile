# One image for every role (the apps, the migration, `centrale bootstrap`). The dependencies are the ones
# pinned in requirements.lock, checked against their hashes, so that a rebuild installs the same bytes;
# regenerate the lock with the command at its top when pyproject.toml's dependencies change.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY pyproject.toml README.md ./
COPY centrale centrale
COPY alerts alerts
COPY integrations integrations
COPY web web
RUN pip install --no-cache-dir --no-deps . && useradd --system --uid 10001 --no-create-home centrale
# numeric, so that Kubernetes' runAsNonRoot can check it
USER 10001
EXPOSE 8000
CMD ["centrale", "serve", "--host", "0.0.0.0", "--port", "8000"]
