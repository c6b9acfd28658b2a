#!/usr/bin/env bash
# The bus's keys for Docker Compose (docs/security.md, docs/operations.md):
#
#   compose/keys.sh TRADECTL [DIR]      DIR defaults to compose/keys
#
# Makes the key set once with `tradectl keys init` (kept if DIR/bus.key exists), then hands the
# secrets the containers read (bus.key, venue-sim.key and each service's key, mounted as Compose secrets) to the
# image's user 10001, still mode 0600; operator.key stays the host user's, for tradectl and tests.
set -euo pipefail
tradectl=${1:?usage: compose/keys.sh TRADECTL [DIR]}
dir=${2:-$(dirname "$0")/keys}
if [ ! -f "$dir/bus.key" ]; then
  "$tradectl" keys init --dir "$dir" >/dev/null
  echo "compose-keys: made the key set in $dir"
elif [ ! -f "$dir/venue-sim.key" ]; then
  # A set made before venue-sim had keys: its files now belong to the containers' user.
  echo "compose-keys: $dir has no venue-sim.key (made before venue-sim had keys); remove $dir and run this again" >&2
  exit 1
fi
sudo=""
[ "$(id -u)" = 0 ] || sudo=sudo
for name in bus venue-sim persistence-writer risk-service order-gateway reconciler; do
  $sudo chown 10001:10001 "$dir/$name.key"
done
chmod 0644 "$dir/peers.json"  # no secret in it
