FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY centrale centrale
COPY alerts alerts
COPY integrations integrations
COPY web web
RUN pip install --no-cache-dir . && useradd --system centrale
USER centrale
EXPOSE 8000
CMD ["centrale", "serve", "--host", "0.0.0.0", "--port", "8000"]
