# syntax=docker/dockerfile:1
# The Plumbline sync server (plumbline-server) as a container image.
#
#   docker build -t plumbline-server .
#   docker run -p 127.0.0.1:8787:8787 -v plumbline-data:/var/lib/plumbline plumbline-server
#
# Out of the box it keeps a SQLite database in the volume /var/lib/plumbline (the
# settings of /etc/plumbline/server.toml, packaging/server.toml in the repository); for
# PostgreSQL set PLUMBLINE_SERVER_DATABASE and PLUMBLINE_SERVER_DATABASE_PASSWORD_FILE
# (see compose.yaml). Every setting is an environment variable (PLUMBLINE_SERVER_*, with
# a _FILE twin for secrets); `docker run --rm plumbline-server config --table` lists them.
# On SIGTERM the server lets requests finish for 30 s: stop it with a longer timeout
# (`docker stop -t 40`, compose's stop_grace_period) than Docker's default 10 s.

FROM rust:1-bookworm AS build
WORKDIR /src
COPY . .
# Only the server and what it links; the registry and the target directory are cached
# between builds (BuildKit).
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --locked --release -p plumbline-server \
    && install -D -m 0755 target/release/plumbline-server /out/plumbline-server

FROM debian:bookworm-slim
LABEL org.opencontainers.image.title="plumbline-server" \
      org.opencontainers.image.description="Plumbline's self-hosted sync server" \
      org.opencontainers.image.licenses="AGPL-3.0-or-later"
# ca-certificates: TLS to a PostgreSQL with a public certificate. Unpinned: Debian's
# security updates replace the versions of a stable release.
# The service's user has a fixed UID/GID (10001) so volumes and Kubernetes'
# runAsUser/fsGroup can name it.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 10001 plumbline \
    && useradd --uid 10001 --gid 10001 --no-log-init --no-create-home \
        --home-dir /var/lib/plumbline --shell /usr/sbin/nologin plumbline \
    && install -d -o 10001 -g 10001 -m 0750 /var/lib/plumbline
COPY --from=build /out/plumbline-server /usr/bin/plumbline-server
COPY packaging/server.toml /etc/plumbline/server.toml
# The file's settings apply unless an environment variable says otherwise; in a
# container the server listens on every interface (publish the port on the host's
# loopback or behind a proxy).
ENV PLUMBLINE_SERVER_CONFIG=/etc/plumbline/server.toml \
    PLUMBLINE_SERVER_LISTEN=0.0.0.0:8787
USER 10001:10001
WORKDIR /var/lib/plumbline
VOLUME ["/var/lib/plumbline"]
EXPOSE 8787
# Ready = the database answers and the server is not stopping (GET /readyz → 200). The
# image has no curl: bash's /dev/tcp speaks the HTTP/1.0 request, on the port of
# PLUMBLINE_SERVER_LISTEN.
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/${PLUMBLINE_SERVER_LISTEN##*:} && printf 'GET /readyz HTTP/1.0\\r\\nHost: localhost\\r\\n\\r\\n' >&3 && read -r -t 4 _ status _ <&3 && [ \"$status\" = 200 ]"]
ENTRYPOINT ["plumbline-server"]
CMD ["serve"]
