# Stand-in for a Node image (node:24-alpine), from Debian packages: `node` and `npm` on the PATH.
ARG BASE=localhost/hpcspawner-debian:trixie
FROM ${BASE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm ca-certificates \
 && rm -rf /var/lib/apt/lists/*
