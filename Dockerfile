# One image for every incident-bot service.
#   docker run IMAGE serve incidents      one service (incidents, slack_gateway, scheduler,
#                                         web, zoom, pagerduty, statuspage, confluence)
#   docker run IMAGE migrate              apply database migrations
#   docker run IMAGE run                  everything in one process (in-memory bus, SQLite)
FROM python:3.11.7-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY services ./services
RUN python -m venv /opt/venv \
 && /opt/venv/bin/pip install --upgrade pip==24.3.1 \
 && /opt/venv/bin/pip install .

FROM python:3.11.7-slim-bookworm
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    INCIDENTBOT_CONFIG=/etc/incident-bot/config.yaml \
    GATEWAY_PORT=3000 WEB_PORT=8000 OPS_PORT=9100
RUN groupadd --system --gid 10001 incidentbot \
 && useradd --system --uid 10001 --gid incidentbot --home-dir /app --shell /usr/sbin/nologin incidentbot
COPY --from=build /opt/venv /opt/venv
COPY config.yaml /etc/incident-bot/config.yaml
WORKDIR /app
USER 10001:10001
EXPOSE 3000 8000 9100
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import os,urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('OPS_PORT', '9100'), timeout=2)"
ENTRYPOINT ["incident-bot"]
CMD ["run"]
