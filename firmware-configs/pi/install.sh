#!/usr/bin/env bash
# Install the Takt edge agent on a gateway (Raspberry Pi OS / Debian, arm64 or armv7).
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
node="$(command -v node || true)"

fail() { echo "install.sh: $*" >&2; exit 1; }
[ -n "$node" ] || fail "node is not on the PATH: install Node.js 22 or 24 first"
major="$("$node" -p 'process.versions.node.split(".")[0]')"
[ "$major" -ge 20 ] || fail "Node.js $major found; the agent needs 20 or newer (22 or 24 recommended)"
[ "$major" -ge 22 ] || echo "install.sh: Node.js $major is past its end of life; 22 or 24 is recommended" >&2
[ -f "$config" ] || fail "no config file at $config"
if [ -z "$root" ] && [ "$(id -u)" -ne 0 ]; then fail "run as root (sudo)"; fi

echo "checking $config"
(cd "$src" && "$node" --import tsx edge-agent/src/cli/validate-configs.ts "$config") || fail "fix the config first"

echo "copying to $root$prefix"
mkdir -p "$root$prefix" "$root/etc/takt" "$root/etc/systemd/system" "$root/var/lib/takt"
# The code belongs to whoever runs this (root), not to the checkout's owner: --no-same-owner,
# and nothing in it writable by group or others.
tar -C "$src" --exclude=node_modules --exclude=dist --exclude=.takt --exclude=.git --exclude=deploy -cf - . \
  | tar -C "$root$prefix" --no-same-owner --no-same-permissions -xf -
(cd "$root$prefix" && npm ci --omit=dev --no-audit --no-fund --workspace edge-agent --workspace protocol >/dev/null \
  && "$node" edge-agent/build.mjs)
chmod -R go-w "$root$prefix"
if [ "$(id -u)" -eq 0 ]; then chown -R root:root "$root$prefix"; fi

install -m 0644 "$config" "$root/etc/takt/gateway.yaml"
if [ ! -f "$root/etc/takt/edge.env" ]; then
  install -m 0600 /dev/null "$root/etc/takt/edge.env"
  echo "# TAKT_MQTT_PASSWORD=... (the gateway's broker password)" > "$root/etc/takt/edge.env"
fi
sed -e "s#@NODE@#$node#g" -e "s#@PREFIX@#$prefix#g" "$src/firmware-configs/pi/takt-edge.service" \
  > "$root/etc/systemd/system/takt-edge.service"

if [ -n "$root" ]; then
  echo "installed under $root (no user or service changes with --root)"
  exit 0
fi
id takt >/dev/null 2>&1 || useradd --system --home-dir /var/lib/takt --shell /usr/sbin/nologin --groups dialout takt
chown -R takt:takt /var/lib/takt
chmod 0700 /var/lib/takt
systemctl daemon-reload
systemctl enable --now takt-edge.service
echo "takt-edge is running: journalctl -u takt-edge -f   (set the password in /etc/takt/edge.env, then systemctl restart takt-edge)"
