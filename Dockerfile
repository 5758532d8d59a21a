# syntax=docker/dockerfile:1
# The mockd image: `docker run -p 4280:4280 -p 4290:4290 IMAGE start --config /mocks/config.json`.
# Build from the repository root: docker build --build-arg MOCKD_COMMIT=$(git rev-parse --short HEAD) -t mockd .

# Build stage: the portable release binary (every library but glibc linked in), as `make release`
# makes it on any Debian 12 machine.
FROM debian:12.11 AS build
WORKDIR /src
COPY scripts/install-deps.sh scripts/install-deps.sh
RUN bash scripts/install-deps.sh build
COPY . .
ARG MOCKD_COMMIT=unknown
RUN make release DEPS=build MOCKD_COMMIT=${MOCKD_COMMIT} BUILD_TYPE=RelWithDebInfo \
    && build-release/mockd-linux-amd64 version

# Run stage: glibc and the binary. No shell tools are needed: the health check is mockd's own.
FROM debian:12.11-slim
LABEL org.opencontainers.image.title="mockd" \
      org.opencontainers.image.description="A fast mock server for integration tests: mockd configs and WireMock stubs"
RUN useradd --uid 10001 --user-group --create-home --home-dir /home/mockd --shell /usr/sbin/nologin mockd
COPY --from=build /src/build-release/mockd-linux-amd64 /usr/local/bin/mockd
USER mockd
WORKDIR /home/mockd
EXPOSE 4280 4290
# The mock port's /__mockd/health answers in `start` and in `engine` alike, and in `start` it
# answers only once the config is loaded and the admin API listens.
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
    CMD ["mockd", "health", "--url", "http://localhost:4280/__mockd/health", "--timeout", "2s"]
# `docker stop` sends SIGTERM: mockd stops accepting, lets in-flight requests finish (up to
# --drain-timeout, 10s) and exits 0.
STOPSIGNAL SIGTERM
ENTRYPOINT ["mockd"]
CMD ["start"]
