#!/usr/bin/env bash
# The no-registry path of the Compose deployment (docs/operations.md, "Images without a registry").
#
#   compose/engine.sh start        install docker.io/docker-compose/debootstrap if missing and start
#                                  a Docker engine if none answers (records its pid in $BW_ENGINE_STATE)
#   compose/engine.sh base-image   make the runtime base image $BW_BASE_IMAGE with debootstrap +
#                                  `docker import`, unless it already exists (the cache)
#   compose/engine.sh stop         stop the engine this script started (by its recorded pid), if any
#
# Variables: BW_BASE_IMAGE (default breakwater-base:bookworm), BW_ENGINE_STATE (default
# /tmp/breakwater-dockerd), BW_DEBIAN_MIRROR (default: the first deb.debian.org-style URI in
# /etc/apt/sources.list.d, else http://deb.debian.org/debian).
set -euo pipefail

BASE_IMAGE=${BW_BASE_IMAGE:-breakwater-base:bookworm}
STATE=${BW_ENGINE_STATE:-/tmp/breakwater-dockerd}
ENGINE_WAIT_S=120
SUDO=$([ "$(id -u)" = 0 ] || echo sudo)

log() { echo "engine: $*" >&2; }

install_packages() {
    local missing=()
    command -v dockerd >/dev/null || missing+=(docker.io)
    command -v docker-compose >/dev/null || docker compose version >/dev/null 2>&1 || missing+=(docker-compose)
    command -v debootstrap >/dev/null || missing+=(debootstrap)
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing ${missing[*]}"
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
}

engine_answers() { docker info >/dev/null 2>&1; }

start_engine() {
    install_packages
    if engine_answers; then
        log "a Docker engine already runs; using it"
        return
    fi
    mkdir -p "$STATE"
    log "starting dockerd (vfs storage, no iptables); log in $STATE/dockerd.log"
    # setsid: the engine outlives this script; dockerd writes its own pid to $STATE/pid,
    # and `stop` ends exactly that process.
    rm -f "$STATE/pid"
    $SUDO setsid dockerd --storage-driver=vfs --iptables=false --pidfile "$STATE/pid" \
        >"$STATE/dockerd.log" 2>&1 </dev/null &
    local launcher=$!
    local deadline=$((SECONDS + ENGINE_WAIT_S))
    until engine_answers; do
        if ! kill -0 "$launcher" 2>/dev/null && [ ! -s "$STATE/pid" ]; then
            log "dockerd exited; last lines of its log:"; tail -20 "$STATE/dockerd.log" >&2; exit 1
        fi
        [ $SECONDS -lt $deadline ] || { log "dockerd did not answer within ${ENGINE_WAIT_S} s"; exit 1; }
        sleep 0.5
    done
    log "engine up (pid $(cat "$STATE/pid"))"
}

debian_mirror() {
    if [ -n "${BW_DEBIAN_MIRROR:-}" ]; then echo "$BW_DEBIAN_MIRROR"; return; fi
    local uri
    uri=$(grep -hoE '^URIs: *[^ ]+/debian$' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1 | awk '{print $2}')
    echo "${uri:-http://deb.debian.org/debian}"
}

base_image() {
    if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
        log "base image $BASE_IMAGE exists; skipping debootstrap"
        return
    fi
    local rootfs
    rootfs=$(mktemp -d /tmp/breakwater-rootfs.XXXXXX)
    log "debootstrap bookworm into $rootfs from $(debian_mirror)"
    $SUDO debootstrap --variant=minbase --include=libzmq5,libsqlite3-0,curl,ca-certificates,sqlite3 \
        bookworm "$rootfs" "$(debian_mirror)" >"$rootfs.log" 2>&1 \
        || { tail -20 "$rootfs.log" >&2; exit 1; }
    $SUDO rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    $SUDO chmod 755 "$rootfs"   # mktemp made it 0700: it becomes the image's /, which every user must traverse
    $SUDO tar -C "$rootfs" -c . | docker import - "$BASE_IMAGE" >/dev/null
    $SUDO rm -rf "$rootfs" "$rootfs.log"
    log "imported $BASE_IMAGE"
}

stop_engine() {
    if [ ! -f "$STATE/pid" ]; then
        log "no engine started by this script; leaving any running engine alone"
        return
    fi
    local pid
    pid=$(cat "$STATE/pid")
    if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ]; then
        log "stopping dockerd (pid $pid)"
        $SUDO kill -TERM "$pid"
        local deadline=$((SECONDS + 30))
        while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do
            sleep 0.5
        done
        kill -0 "$pid" 2>/dev/null && $SUDO kill -KILL "$pid"
    fi
    rm -f "$STATE/pid"
}

case "${1:-}" in
    start) start_engine ;;
    base-image) base_image ;;
    stop) stop_engine ;;
    *) echo "usage: $0 start|base-image|stop" >&2; exit 2 ;;
esac
