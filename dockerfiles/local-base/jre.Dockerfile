# Stand-in for a JRE image (eclipse-temurin:21-jre), from Debian packages: `java` on the PATH.
ARG BASE=localhost/hpcspawner-debian:trixie
FROM ${BASE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends openjdk-21-jre-headless \
 && rm -rf /var/lib/apt/lists/*
