# syntax=docker/dockerfile:1
# Slipway's five commands in one image, for GitLab CI, Tekton and docker://
# users (GitHub Actions users want the composite actions instead: they start
# in seconds and run on every OS). Reproducible: -trimpath, cgo off, no build
# ID, no VCS stamping, so the binaries equal those of actions/checksums.txt
# built for linux/<arch> from the same commit. No USER and no WORKDIR: GitHub
# runs container actions as root in the workspace it mounts.
#
#   docker build --build-arg VERSION=1.2.3 --build-arg REVISION=$(git rev-parse HEAD) \
#     --build-arg CREATED=$(git log -1 --format=%cI) -t slipway .
#   docker run --rm -v "$PWD:/w" -w /w slipway build-matrix --targets linux/amd64
#
# Slipway's own release publishes its image with the publish action, not
# with this file.

# The Go toolchain the binaries are built with (the go directive of go.mod).
ARG GO_IMAGE=docker.io/library/golang:1.26.8-bookworm
# gcr.io/distroless/static-debian12:latest (root; ca-certificates, tzdata),
# pinned by digest. Move the pin in a reviewed change.
ARG BASE_IMAGE=gcr.io/distroless/static-debian12@sha256:d75cdd72874d4790092fcb1b058493ecf6bb5bf2b2b897045b00ff01d91843f2
# build: compile in GO_IMAGE. prebuilt: take the binaries from the context's
# prebuilt/ directory (linux binaries built with the same flags elsewhere;
# the offline buildah test uses it, as no builder image can be pulled there).
ARG BINARIES=build

FROM ${GO_IMAGE} AS build
ENV CGO_ENABLED=0 GOFLAGS=-mod=readonly GOTOOLCHAIN=local
COPY . /src
RUN set -eu; \
    for cmd in build-matrix verify-mod sign publish; do \
      go build -C /src -trimpath -buildvcs=false -ldflags "-s -w -buildid=" -o "/out/$cmd" "./cmd/$cmd"; \
    done; \
    GOEXPERIMENT=jsonv2 go build -C /src/cmd/scan -trimpath -buildvcs=false -ldflags "-s -w -buildid=" -o /out/scan .

FROM scratch AS prebuilt
COPY prebuilt/ /out/

FROM ${BINARIES} AS binaries

FROM ${BASE_IMAGE}
ARG VERSION=dev
ARG REVISION=unknown
ARG CREATED=1970-01-01T00:00:00Z
ARG SOURCE=https://github.com/slipway-dev/slipway
LABEL org.opencontainers.image.title="slipway" \
      org.opencontainers.image.description="Slipway: verify-mod, build-matrix, scan, sign and publish for Go releases" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.source="${SOURCE}"
ENV PATH=/usr/local/bin:/usr/bin:/bin
COPY --from=binaries /out/build-matrix /out/verify-mod /out/scan /out/sign /out/publish /usr/local/bin/
CMD ["build-matrix", "--help"]
