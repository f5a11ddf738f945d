# One image per service, built from the repository root:
#   docker build --build-arg SERVICE=publisher -t gatepost-publisher .
FROM python:3.11-slim AS build
COPY --from=ghcr.io/astral-sh/uv:0.13 /uv /usr/local/bin/uv
ARG SERVICE
WORKDIR /app
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never
COPY . .
RUN uv sync --frozen --no-dev --package "gatepost-${SERVICE}" --no-editable

FROM python:3.11-slim
ARG SERVICE
ENV SERVICE=${SERVICE} PATH=/app/.venv/bin:$PATH HTTP_HOST=0.0.0.0
# media sets slides' words in every script the generator detects (Debian's Noto fonts) and checks
# people's videos with ffprobe (ffmpeg)
RUN if [ "$SERVICE" = media ]; then \
      apt-get update && apt-get install -y --no-install-recommends fonts-noto-core fonts-noto-cjk \
        ffmpeg && rm -rf /var/lib/apt/lists/*; \
    fi
# media's volume mounts here: a new volume takes this folder's owner, so the service can write
RUN useradd --system --uid 10001 gatepost \
    && mkdir -p /var/lib/gatepost/media && chown gatepost /var/lib/gatepost/media
COPY --from=build /app/.venv /app/.venv
USER gatepost
CMD ["sh", "-c", "exec python -m gatepost_${SERVICE}"]
