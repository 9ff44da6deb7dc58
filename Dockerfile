# syntax=docker/dockerfile:1
# Seam: a static binary on distroless (no shell, no package manager),
# running as a non-root user. scripts/build-static.sh runs the same build
# steps without a container (CI does, see .ci/run).
#
#   docker build -t seam .
#   docker build --build-arg VERSION=v0.3.0 -t seam:v0.3.0 .

FROM docker.io/library/golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
# modernc.org/sqlite is pure Go, so CGO is off and the binary is static.
# -trimpath drops the build machine's paths; the commit is stamped by the
# Go toolchain from .git when it is in the build context (else "unknown").
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath \
      -ldflags "-s -w -X github.com/seamsso/seam/internal/app.Version=${VERSION}" \
      -o /out/seam ./cmd/seam \
 && /out/seam version

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/seam /usr/local/bin/seam
# nonroot is uid 65532; /data is where a SQLite database and its key file
# may live (mount a volume). PostgreSQL deployments need no volume.
WORKDIR /data
USER 65532:65532
ENV SEAM_ADDR=0.0.0.0:8080 \
    SEAM_DATABASE_URL=sqlite:/data/seam.db
EXPOSE 8080
# No curl in distroless: the binary probes its own /readyz (SEAM_ADMIN_ADDR
# if set, else SEAM_ADDR, on loopback).
HEALTHCHECK --interval=10s --timeout=4s --start-period=20s --retries=3 \
  CMD ["/usr/local/bin/seam", "healthcheck"]
# docker stop sends SIGTERM: /readyz turns 503, requests are served for
# SEAM_DRAIN_PERIOD, then in-flight ones finish within SEAM_SHUTDOWN_TIMEOUT.
# Give docker stop -t / stop_grace_period more than the sum (default 25 s).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/seam"]
CMD ["serve"]
