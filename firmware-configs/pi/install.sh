#!/usr/bin/env bash
# Install the Takt edge agent on a gateway (Raspberry Pi OS / Debian, arm64 or armv7) from a
# checkout of this repository. Without the source tree, npm or the internet: the package of
# `npm run package:edge` and its install.sh (firmware-configs/pi/package-install.sh).
#
#   sudo firmware-configs/pi/install.sh firmware-configs/<gateway>.yaml
#
# Needs Node.js on the PATH: 22 or 24 (a supported LTS; node-opcua declares >= 22.13); 20.19
# is the tested minimum and still runs. Copies this checkout to /opt/takt owned by root (the
# service user cannot change the code it runs), installs the edge agent's runtime packages
# (no native builds: serialport loads its prebuilt arm binaries), creates the unprivileged
# `takt` user in the `dialout` group, puts the config in /etc/takt/gateway.yaml (validated
# first), and enables the sandboxed systemd unit. The `takt` user owns only /var/lib/takt.
# Secrets go in /etc/takt/edge.env (created empty, mode 0600).
#
# --root DIR installs into DIR instead of / and skips useradd/systemctl (used by the tests).
set -euo pipefail

root=""
if [ "${1:-}" = "--root" ]; then root="$2"; shift 2; fi
config="${1:?usage: install.sh [--root DIR] <gateway.yaml>}"
src="$(cd "$(dirname "$0")/../.." && pwd)"
prefix="/opt/takt"
me=install.sh
# shellcheck source=firmware-configs/pi/common.sh
. "$src/firmware-configs/pi/common.sh"

takt_check_node
[ -f "$config" ] || fail "no config file at $config"
takt_check_root

echo "checking $config"
(cd "$src" && "$node" --import tsx edge-agent/src/cli/validate-configs.ts "$config") || fail "fix the config first"

echo "copying to $root$prefix"
mkdir -p "$root$prefix"
# The code belongs to whoever runs this (root), not to the checkout's owner: --no-same-owner,
# and nothing in it writable by group or others.
tar -C "$src" --exclude=node_modules --exclude=dist --exclude=.takt --exclude=.git --exclude=deploy -cf - . \
  | tar -C "$root$prefix" --no-same-owner --no-same-permissions -xf -
(cd "$root$prefix" && npm ci --omit=dev --no-audit --no-fund --workspace edge-agent --workspace protocol >/dev/null \
  && "$node" edge-agent/build.mjs)
takt_lock_code "$root$prefix"

takt_install_config "$config"
takt_install_unit "$src/firmware-configs/pi/takt-edge.service" "$prefix"
takt_enable_service
