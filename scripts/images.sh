#!/usr/bin/env bash
# Builds the container images with buildah and smoke-tests each one by running its command in its
# own file system (scripts/image-run.sh). No registry is needed: every image is built from a local
# stand-in base made of Debian packages (dockerfiles/local-base/), passed as --build-arg BASE.
# A site builds the same Dockerfiles with their default, pinned public bases (dockerfiles/versions.env).
#
#   scripts/images.sh [check-pins|bases|service|proxy|hub|singleuser|all]...     (default: all)
#
# service needs target/quarkus-app (./mvnw package). Needs root, buildah, podman (import only),
# debootstrap, jq, curl, python3. Images are tagged localhost/hpcspawner-*:dev.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=dockerfiles/versions.env
source dockerfiles/versions.env

SUITE=trixie
DEBIAN=localhost/hpcspawner-debian:$SUITE
WORK=${IMAGES_WORK:-/tmp/hpcspawner-images}
mkdir -p "$WORK"

log() { printf '%s images: %s\n' "$(date -u +%H:%M:%S)" "$*"; }
fail() { printf 'images: FAILED: %s\n' "$*" >&2; exit 1; }
build() { # build TAG DOCKERFILE CONTEXT [buildah args...]
  local tag=$1 file=$2 context=$3; shift 3
  local start=$SECONDS
  buildah bud --isolation chroot --layers --force-rm -f "$file" -t "$tag" "$@" "$context" > "$WORK/build-${tag##*/}.log" 2>&1 \
    || { tail -n 30 "$WORK/build-${tag##*/}.log" >&2; fail "build of $tag (log: $WORK/build-${tag##*/}.log)"; }
  log "built $tag in $((SECONDS - start)) s"
}
have_image() { buildah inspect --type image "$1" >/dev/null 2>&1; }
wait_http() { # wait_http URL SECONDS PID: until URL answers 200, or the process died, or time ran out
  local url=$1 deadline=$((SECONDS + $2)) pid=$3
  while (( SECONDS < deadline )); do
    curl -fsS -o /dev/null "$url" 2>/dev/null && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.5
  done
  return 1
}
stop() { kill "$1" 2>/dev/null || true; wait "$1" 2>/dev/null || true; }
# Ports free right now (other programs on the machine may use fixed ones).
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# Every Dockerfile's ARG default must be the pin in versions.env (so the pins are written once).
check_pins() {
  local bad=0
  check() { # check FILE ARG VALUE
    local got
    got=$(sed -n "s/^ARG $2=//p" "$1" | head -n 1)
    [[ "$got" == "$3" ]] || { echo "images: $1: ARG $2=$got, but dockerfiles/versions.env says $3" >&2; bad=1; }
  }
  check dockerfiles/service/Dockerfile BASE "$SERVICE_BASE"
  check dockerfiles/proxy/Dockerfile BASE "$PROXY_BASE"
  check dockerfiles/proxy/Dockerfile CHP_VERSION "$CHP_VERSION"
  local locked
  locked=$(jq -r '.packages["node_modules/configurable-http-proxy"].version' dockerfiles/proxy/package-lock.json)
  [[ "$locked" == "$CHP_VERSION" ]] || { echo "images: dockerfiles/proxy/package-lock.json locks configurable-http-proxy $locked, versions.env says $CHP_VERSION" >&2; bad=1; }
  check dockerfiles/hub/Dockerfile BASE "$HUB_BASE"
  check dockerfiles/hub/Dockerfile SETUPTOOLS_VERSION "$SETUPTOOLS_VERSION"
  pinned() { # pinned FILE PACKAGE VERSION: FILE says PACKAGE==VERSION
    grep -qx "$2==$3" "$1" || { echo "images: $1 does not pin $2==$3 (dockerfiles/versions.env)" >&2; bad=1; }
  }
  pinned dockerfiles/hub/requirements.txt jupyterhub "$JUPYTERHUB_VERSION"
  pinned dockerfiles/hub/requirements.txt oauthenticator "$OAUTHENTICATOR_VERSION"
  pinned dockerfiles/hub/requirements.txt jupyterhub-idle-culler "$IDLE_CULLER_VERSION"
  pinned dockerfiles/hub/requirements-debian.txt jupyterhub "$JUPYTERHUB_VERSION"
  check dockerfiles/singleuser/Dockerfile BASE "$SINGLEUSER_BASE"
  grep -qF -- "--build-arg BASE=$SINGLEUSER_NGC_BASE" dockerfiles/singleuser/Dockerfile \
    || { echo "images: dockerfiles/singleuser/Dockerfile does not name the NGC base $SINGLEUSER_NGC_BASE" >&2; bad=1; }
  pinned dockerfiles/singleuser/requirements.txt jupyterhub "$JUPYTERHUB_VERSION"
  pinned dockerfiles/singleuser/requirements.txt jupyterlab "$JUPYTERLAB_VERSION"
  pinned dockerfiles/singleuser/requirements-debian.txt jupyterhub "$JUPYTERHUB_VERSION"
  (( bad == 0 )) || fail "pins disagree"
  log "pins agree with dockerfiles/versions.env"
}

bases() {
  if ! have_image "$DEBIAN"; then
    local start=$SECONDS root="$WORK/debian-$SUITE"
    rm -rf "$root"
    debootstrap --variant=minbase "$SUITE" "$root" http://deb.debian.org/debian > "$WORK/debootstrap.log" 2>&1 \
      || fail "debootstrap (log: $WORK/debootstrap.log)"
    tar -C "$root" -c . | podman import --quiet - "$DEBIAN" > /dev/null
    rm -rf "$root"
    log "made $DEBIAN with debootstrap in $((SECONDS - start)) s"
  fi
  for b in jre node hub; do
    build "localhost/hpcspawner-base-$b" "dockerfiles/local-base/$b.Dockerfile" dockerfiles/local-base --build-arg BASE="$DEBIAN"
  done
}

service() {
  [[ -f target/quarkus-app/quarkus-run.jar ]] || fail "no target/quarkus-app: run ./mvnw package first"
  build localhost/hpcspawner-service:dev dockerfiles/service/Dockerfile . --build-arg BASE=localhost/hpcspawner-base-jre

  # Smoke: the service starts as the image's user on a read-only root with a minimal site
  # configuration (one slurmrestd system that need not be up) and answers its liveness check.
  local conf="$WORK/service-config" port mport
  port=$(free_port); mport=$(free_port)
  rm -rf "$conf"; mkdir -p "$conf"
  head -c 32 /dev/urandom | base64 > "$conf/jwt.key"
  cat > "$conf/application.properties" <<PROPS
quarkus.http.port=$port
quarkus.management.port=$mport
hpcspawner.public-url=http://127.0.0.1:$port
hpcspawner.auth.hub-token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
hpcspawner.systems.smoke.backend=slurmrestd
hpcspawner.systems.smoke.url=http://127.0.0.1:1
hpcspawner.systems.smoke.jwt-key-file=/deployments/config/jwt.key
hpcspawner.profiles.small.system=smoke
hpcspawner.profiles.small.partition=debug
PROPS
  chmod -R a+rX "$conf"
  local start=$SECONDS
  scripts/image-run.sh -v "$conf:/deployments/config" -w /var/lib/hpcspawner localhost/hpcspawner-service:dev \
    > "$WORK/service-smoke.log" 2>&1 &
  local pid=$!
  if ! wait_http "http://127.0.0.1:$mport/q/health/live" 60 "$pid"; then
    stop "$pid"; cat "$WORK/service-smoke.log" >&2; fail "the service image did not answer /q/health/live"
  fi
  local health
  health=$(curl -fsS "http://127.0.0.1:$mport/q/health/live")
  stop "$pid"
  [[ "$(jq -r .status <<<"$health")" == UP ]] || fail "service liveness is not UP: $health"
  log "service image: /q/health/live UP after $((SECONDS - start)) s (read-only root, uid 185)"
}

proxy() {
  # npm inside the build trusts what the host trusts (this machine's egress intercepts TLS).
  local ca=()
  [[ -n "${NODE_EXTRA_CA_CERTS:-}" && -f "$NODE_EXTRA_CA_CERTS" ]] \
    && ca=(-v "$NODE_EXTRA_CA_CERTS:/run/build-ca.crt:ro" --build-arg NODE_EXTRA_CA_CERTS=/run/build-ca.crt)
  build localhost/hpcspawner-proxy:dev dockerfiles/proxy/Dockerfile dockerfiles/proxy \
    --build-arg BASE=localhost/hpcspawner-base-node "${ca[@]}"

  # Smoke: the proxy starts as nobody on a read-only root, answers its health check on the public
  # port, and its API (on the address the image gives it) answers with the token and refuses without.
  local port aport token start=$SECONDS
  port=$(free_port); aport=$(free_port)
  token=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  scripts/image-run.sh -e CONFIGPROXY_AUTH_TOKEN="$token" localhost/hpcspawner-proxy:dev \
    --ip=127.0.0.1 --port="$port" --api-ip=127.0.0.1 --api-port="$aport" > "$WORK/proxy-smoke.log" 2>&1 &
  local pid=$!
  if ! wait_http "http://127.0.0.1:$port/_chp_healthz" 30 "$pid"; then
    stop "$pid"; cat "$WORK/proxy-smoke.log" >&2; fail "the proxy image did not answer /_chp_healthz"
  fi
  local routes denied
  routes=$(curl -fsS -H "Authorization: token $token" "http://127.0.0.1:$aport/api/routes" || echo failed)
  denied=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$aport/api/routes")
  stop "$pid"
  jq -e 'type == "object"' <<<"$routes" > /dev/null 2>&1 || fail "proxy API GET /api/routes with the token answered: $routes"
  [[ "$denied" == 403 ]] || fail "proxy API without a token answered $denied, not 403"
  log "proxy image: /_chp_healthz and the API (403 without token) answer after $((SECONDS - start)) s (read-only root, uid 65534)"
}

hub() {
  # PyPI is not reachable here: the stand-in base already has JupyterHub from Debian, and the
  # image installs only what that covers (requirements-debian.txt) plus the plugin's wheel.
  build localhost/hpcspawner-hub:dev dockerfiles/hub/Dockerfile . \
    --build-arg BASE=localhost/hpcspawner-base-hub --build-arg REQUIREMENTS=requirements-debian.txt \
    --build-arg PIP_OFFLINE="--no-index --no-deps"

  # Smoke, as uid 1000 on a read-only root: the pinned JupyterHub runs, and the plugin is
  # installed where JupyterHub finds it (its entry point "hpc" loads the spawner class).
  local version start=$SECONDS
  version=$(scripts/image-run.sh -w /srv/jupyterhub localhost/hpcspawner-hub:dev jupyterhub --version) \
    || fail "jupyterhub --version in the hub image: $version"
  [[ "$version" == "$JUPYTERHUB_VERSION" ]] || fail "the hub image runs JupyterHub $version, the pin is $JUPYTERHUB_VERSION"
  local spawner
  spawner=$(scripts/image-run.sh -w /srv/jupyterhub localhost/hpcspawner-hub:dev python3 -c '
from importlib.metadata import entry_points
import hpcspawner
(ep,) = [e for e in entry_points(group="jupyterhub.spawners") if e.name == "hpc"]
cls = ep.load()
print(cls.__module__ + "." + cls.__name__)' 2>&1) || fail "the plugin does not load in the hub image: $spawner"
  # The hub loads a configuration from where the chart mounts it, and the spawner takes its settings
  # (a minimal one here, written like docs/hub-plugin.md; the chart's rendered one replaces it).
  local conf="$WORK/hub-config" loaded
  rm -rf "$conf"; mkdir -p "$conf"
  cat > "$conf/jupyterhub_config.py" <<'CONF'
import os
c.JupyterHub.spawner_class = "hpc"
c.HPCSpawner.service_url = "http://hpcspawner:8090"
c.HPCSpawner.service_token = os.environ["HPCSPAWNER_TOKEN"]
c.JupyterHub.cleanup_servers = False
CONF
  chmod -R a+rX "$conf"
  loaded=$(scripts/image-run.sh -v "$conf:/usr/local/etc/jupyterhub" -w /srv/jupyterhub -e HPCSPAWNER_TOKEN=smoke-token \
    localhost/hpcspawner-hub:dev python3 -c '
from jupyterhub.app import JupyterHub
app = JupyterHub()
app.load_config_file("/usr/local/etc/jupyterhub/jupyterhub_config.py")
spawner = app.spawner_class(config=app.config)
print(type(spawner).__name__, spawner.service_url, app.cleanup_servers)' 2>&1) || fail "the hub image did not load its configuration: $loaded"
  [[ "$loaded" == "HPCSpawner http://hpcspawner:8090 False" ]] || fail "the hub image loaded its configuration as: $loaded"
  log "hub image: JupyterHub $version, spawner entry point hpc -> $spawner, configuration loaded ($loaded), in $((SECONDS - start)) s (read-only root, uid 1000)"
}

singleuser() {
  build localhost/hpcspawner-singleuser:dev dockerfiles/singleuser/Dockerfile dockerfiles/singleuser \
    --build-arg BASE=localhost/hpcspawner-base-hub --build-arg REQUIREMENTS=requirements-debian.txt \
    --build-arg PIP_OFFLINE="--no-index --no-deps"

  # Smoke, as an HPC runtime runs it: as some user the image does not know, read-only root, no home.
  local version start=$SECONDS
  [[ -z "$(buildah inspect --type image localhost/hpcspawner-singleuser:dev | jq -r '.OCIv1.config.User // empty')" ]] \
    || fail "the singleuser image sets USER; HPC runtimes run it as the calling user"
  version=$(scripts/image-run.sh -u 54321:54321 -e HOME=/tmp localhost/hpcspawner-singleuser:dev jupyterhub-singleuser --version 2>/dev/null) \
    || fail "jupyterhub-singleuser --version in the singleuser image failed"
  [[ "$version" == "$JUPYTERHUB_VERSION" ]] || fail "the singleuser image has jupyterhub-singleuser $version, the pin is $JUPYTERHUB_VERSION"
  log "singleuser image: jupyterhub-singleuser $version as uid 54321, no USER, in $((SECONDS - start)) s (read-only root)"
}

targets=("$@"); (( ${#targets[@]} )) || targets=(all)
for t in "${targets[@]}"; do
  case "$t" in
    check-pins) check_pins ;;
    bases) bases ;;
    service) service ;;
    proxy) proxy ;;
    hub) hub ;;
    singleuser) singleuser ;;
    all) check_pins; bases; service; proxy; hub; singleuser ;;
    *) fail "unknown target $t" ;;
  esac
done
