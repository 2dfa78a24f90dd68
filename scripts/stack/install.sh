#!/usr/bin/env bash
# Installs everything the local HPC test stack needs on a Debian 12 machine (run as root).
# Idempotent: skips what is already present, so it is cheap to run every time.
#   - Debian packages (Slurm + slurmrestd + JWT plugin, munge, JupyterHub 3.0, test libs, and
#     buildah, podman, debootstrap, jq for scripts/images.sh)
#   - configurable-http-proxy@4 from npm into $STACK_DIR/node
#   - prometheus (Debian's, binary only, its service not enabled) for the dashboard e2e test
#   - Chromium (Debian's) + playwright-core@1 from npm into $STACK_DIR/node, for the browser e2e
#     tests (src/test/e2e/browser/); no browser is ever downloaded by npm/playwright
#   - system user slurmrestd, test users alice, bob, carol (with home directories)
#   - with STACK_SLURM=24.11 or STACK_HUB_VERSION=5.2: the Debian 13 root of trixie.sh (Slurm 24.11,
#     JupyterHub 5.2.1; ~2-5 min the first time, then ~0.3 s)
set -euo pipefail
# shellcheck source-path=SCRIPTDIR
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_root

APT_PACKAGES=(
    munge slurmctld slurmd slurmrestd slurm-client slurm-wlm-jwt-plugin
    jupyterhub python3-notebook python3-jupyter-server
    python3-pytest python3-pytest-asyncio python3-requests python3-httpx
    python3-jsonschema python3-yaml python3-jinja2 python3-packaging shellcheck
    curl unzip
    chromium
    # scripts/plot-dashboard.py: the dashboard's panels plotted from the e2e Prometheus run
    python3-matplotlib
    # scripts/images.sh: build the container images (buildah; podman only imports the debootstrapped base)
    buildah podman debootstrap jq
)

# --- Debian packages -------------------------------------------------------------
missing=()
for p in "${APT_PACKAGES[@]}"; do
    if [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)" != "install ok installed" ]]; then
        missing+=("$p")
    fi
done
command -v npm >/dev/null 2>&1 || missing+=(npm)
if ((${#missing[@]})); then
    say "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt_log="$(mktemp)"
    if ! { apt-get update -q && apt-get install -y -q "${missing[@]}"; } >"$apt_log" 2>&1; then
        tail -n 30 "$apt_log" >&2
        die "apt-get install failed (full log: $apt_log)"
    fi
    rm -f "$apt_log"
fi

# --- Prometheus (src/test/e2e/test_zz_prometheus_dashboard.py runs its own) --------------
# Only the binary is wanted: no recommends (node exporter), and the package's own service is
# not left running where systemd starts it on install (the test runs prometheus on a free port).
if [[ "$(dpkg-query -W -f='${Status}' prometheus 2>/dev/null || true)" != "install ok installed" ]]; then
    say "installing: prometheus (binary only)"
    prom_log="$(mktemp)"
    if ! { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        prometheus; } >"$prom_log" 2>&1; then
        tail -n 30 "$prom_log" >&2
        die "apt-get install prometheus failed (full log: $prom_log)"
    fi
    rm -f "$prom_log"
    if [[ -d /run/systemd/system ]]; then
        systemctl disable --now prometheus >/dev/null 2>&1 || true
    fi
fi

# --- npm packages: configurable-http-proxy, playwright-core ----------------------------
# Debian's /usr/bin/configurable-http-proxy does not run under the Node 20 on these
# machines ("Cannot find module 'commander'"), so use the npm one. playwright-core (no
# bundled browser) drives Debian's /usr/bin/chromium in the browser e2e tests.
# The prefix has no package.json: `npm install --no-save X` prunes every package not named,
# so when one is missing all of them are installed in the same command.
NPM_PACKAGES=(configurable-http-proxy@4 playwright-core@1)
PLAYWRIGHT_CORE_DIR="$STACK_NODE_PREFIX/node_modules/playwright-core"
npm_missing=()
if [[ ! -x "$CHP_BIN" ]] || ! "$CHP_BIN" --version >/dev/null 2>&1; then
    npm_missing+=(configurable-http-proxy@4)
fi
if ! grep -qs '"version": *"1\.' "$PLAYWRIGHT_CORE_DIR/package.json"; then
    npm_missing+=(playwright-core@1)
fi
if ((${#npm_missing[@]})); then
    say "npm install: ${npm_missing[*]} (with ${NPM_PACKAGES[*]})"
    mkdir -p "$STACK_NODE_PREFIX"
    npm_log="$(mktemp)"
    if ! (cd "$STACK_NODE_PREFIX" &&
        npm install --no-audit --no-fund --no-save --prefix "$STACK_NODE_PREFIX" \
            "${NPM_PACKAGES[@]}") >"$npm_log" 2>&1; then
        tail -n 30 "$npm_log" >&2
        die "npm install ${NPM_PACKAGES[*]} failed (full log: $npm_log)"
    fi
    rm -f "$npm_log"
    "$CHP_BIN" --version >/dev/null 2>&1 || die "configurable-http-proxy installed but does not run: $CHP_BIN"
    [[ -f "$PLAYWRIGHT_CORE_DIR/package.json" ]] || die "npm did not install playwright-core into $PLAYWRIGHT_CORE_DIR"
fi
[[ -x /usr/bin/chromium ]] || die "/usr/bin/chromium is missing although the chromium package is installed"

# --- users -------------------------------------------------------------------------
# slurmrestd refuses to run as root or as SlurmUser: it drops to this system user.
if ! getent group slurmrestd >/dev/null; then
    groupadd --system slurmrestd
fi
if ! id -u slurmrestd >/dev/null 2>&1; then
    useradd --system --gid slurmrestd --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin slurmrestd
fi
for u in "${STACK_TEST_USERS[@]}"; do
    if ! id -u "$u" >/dev/null 2>&1; then
        useradd --create-home --user-group --shell /bin/bash "$u"
    fi
    home="$(getent passwd "$u" | cut -d: -f6)"
    if [[ ! -d "$home" ]]; then
        mkdir -p "$home"
        cp -rT /etc/skel "$home" 2>/dev/null || true
        chown -R "$u:$(id -gn "$u")" "$home"
        chmod 0750 "$home"
    fi
done

# --- the Debian 13 root (Slurm 24.11, JupyterHub 5.2.1), when asked for ---------------------
if [[ "$STACK_SLURM" == 24.11 || "${STACK_HUB_VERSION:-3.0}" == 5.2 ]]; then
    out="$("$STACK_SCRIPTS_DIR/trixie.sh" install)" || die "trixie.sh install failed"
    say "$out"
fi

say "install.sh: done"
