# cemark's container image. One image serves two hosts (the GitHub Action
# itself runs the release binary on the runner, not this image):
#   - GitHub `container:` jobs, whose workspace belongs to the runner's
#     user, uid 1001 on GitHub-hosted runners: the image runs as uid 1001
#     so it can write there (on a self-hosted runner: options: --user UID);
#     the runner keeps the container alive with `tail` and runs steps with
#     a shell, both in the image;
#   - GitLab CI jobs (templates/cemark.yml), which run their script in it
#     with the entrypoint overridden: it has a shell, git and CA
#     certificates, a writable HOME, and git trusts any checkout directory
#     (GitLab's build directory belongs to the runner's helper, not to us).
# scripts/image-smoke builds it and runs it the way both hosts do.
#
# Both stages are Debian 13 (trixie): the Go toolchain image is built on it,
# and its git and CA certificates are the ones the final image ships.
# Base images are pinned by version tag. TODO(release): pin both by digest
# (FROM image:tag@sha256:…) when the release workflow builds the image;
# Dependabot (docker ecosystem) keeps tag and digest current afterwards.
# No `# syntax=` line: BuildKit's built-in frontend suffices, so a build
# needs no frontend image from a registry.

# Where the binary comes from (build argument BINARY):
#   source    (default) compiled from this checkout in the `source` stage;
#   prebuilt  the release's binary, $TARGETPLATFORM/cemark in the build
#             context: goreleaser (.goreleaser.yaml, dockers_v2) lays the
#             binaries it built and signed out that way, so the image ships
#             the very bytes of the release. BuildKit builds only the stage
#             the final image needs.
ARG BINARY=source

# The source stage runs on the builder's own platform and cross-compiles for
# the image's: a static Go binary needs no emulation, so the arm64 image
# builds as fast as the amd64 one. Needs BuildKit (Docker 23 and later, or
# docker buildx), which sets BUILDPLATFORM, TARGETOS and TARGETARCH.
FROM --platform=$BUILDPLATFORM golang:1.26.8-trixie AS source
# A module proxy or mirror for builds behind a company proxy or offline.
ARG GOPROXY=https://proxy.golang.org,direct
WORKDIR /src
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download && go mod verify
COPY . .
ARG VERSION=dev
ARG TARGETOS
ARG TARGETARCH
# A static, reproducible binary: no cgo, no local paths, no build ID. The
# caches only save time; they never change the bytes built.
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath \
      -ldflags "-s -w -buildid= -X github.com/cemark/cemark/evidence/version.Release=${VERSION}" \
      -o /out/cemark ./cmd/cemark

FROM scratch AS prebuilt
ARG TARGETPLATFORM
COPY $TARGETPLATFORM/cemark /out/cemark

FROM ${BINARY} AS binary

FROM debian:trixie-slim
ARG VERSION=dev
LABEL org.opencontainers.image.title="cemark" \
      org.opencontainers.image.description="Evidence of conformity with the EU Cyber Resilience Act from every build: SBOM, checks tied to Annex I, signed in-toto attestations, the Annex VII technical file" \
      org.opencontainers.image.source="https://github.com/cemark/cemark" \
      org.opencontainers.image.url="https://github.com/cemark/cemark" \
      org.opencontainers.image.documentation="https://github.com/cemark/cemark/blob/main/docs/ci.md" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.vendor="cemark" \
      org.opencontainers.image.version="${VERSION}"
# git for the commit, tags and remote the evidence records, and for the
# GitLab merge-request push; a system-wide safe.directory because the
# checkout belongs to another uid on GitLab (and on self-hosted runners).
RUN export DEBIAN_FRONTEND=noninteractive \
 && apt-get update \
 && apt-get install -y --no-install-recommends git ca-certificates \
 && apt-get clean \
 && rm -rf /var/lib/apt/lists/* /var/log/apt /var/log/dpkg.log \
 && groupadd --gid 1001 cemark \
 && useradd --uid 1001 --gid 1001 --home-dir /home/cemark --create-home --shell /bin/sh cemark \
 && git config --system --add safe.directory '*'
COPY --from=binary /out/cemark /usr/local/bin/cemark
# Apache-2.0 asks that a copy of the licence go with every copy.
COPY LICENSE /usr/share/doc/cemark/LICENSE
ENV HOME=/home/cemark
USER 1001:1001
WORKDIR /home/cemark
ENTRYPOINT ["cemark"]
CMD ["--help"]
