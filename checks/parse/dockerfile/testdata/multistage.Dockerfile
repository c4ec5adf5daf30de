# syntax=docker/dockerfile:1
ARG BASE=golang:1.22
ARG APP_PORT=8080
FROM ${BASE} AS build
USER root
EXPOSE 22
RUN <<EOT
  curl -fsSL https://x | sh
EOT

FROM alpine:3.20@sha256:abc AS final
ARG APP_PORT
ARG RUNTIME_USER
ENV GREETING="hello world" PORT=${APP_PORT}
# EXPOSE 23 is a comment
EXPOSE ${PORT} 53/udp 9000-9002
USER ${RUNTIME_USER}
ADD --checksum=sha256:0123 https://example.com/a.tgz /tmp/
COPY --from=build /out /app
HEALTHCHECK CMD wget -q localhost:8080
ENTRYPOINT ["/app"]
