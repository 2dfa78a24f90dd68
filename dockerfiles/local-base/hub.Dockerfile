# Stand-in for the hub's base (python:3.13-slim-trixie) from Debian packages, with the hub's
# requirements that Debian has already installed (no PyPI here): python3 and pip, setuptools for
# building the plugin's wheel, and JupyterHub itself (Debian's 5.2.1, the pin). Debian marks its
# Python "externally managed"; the official image does not, so neither does this stand-in.
ARG BASE=localhost/hpcspawner-debian:trixie
FROM ${BASE}
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-pip python3-setuptools jupyterhub \
 && rm -rf /var/lib/apt/lists/* \
 && rm -f /usr/lib/python3*/EXTERNALLY-MANAGED
