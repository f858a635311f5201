#!/usr/bin/env bash
# Install the Takt edge agent on a gateway (Raspberry Pi OS / Debian, arm64 or armv7).
#
#   sudo firmware-configs/pi/install.sh firmware-configs/<gateway>.yaml
#
# Needs Node.js >= 20 on the PATH (Debian/Raspberry Pi OS: install nodejs 20 first).
# Copies this checkout to /opt/takt, installs the edge agent's runtime packages (no native
# builds: serialport loads its prebuilt arm binaries), creates the unprivileged `takt` user
# in the `dialout` group, puts the config in /etc/takt/gateway.yaml (validated first), and
# enables the systemd unit. Secrets go in /etc/takt/edge.env (created empty, mode 0600).
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
[ -n "$node" ] || fail "node is not on the PATH: install Node.js 20 or newer first"
major="$("$node" -p 'process.versions.node.split(".")[0]')"
[ "$major" -ge 20 ] || fail "Node.js $major found; the agent needs 20 or newer"
[ -f "$config" ] || fail "no config file at $config"
if [ -z "$root" ] && [ "$(id -u)" -ne 0 ]; then fail "run as root (sudo)"; fi

echo "checking $config"
(cd "$src" && "$node" --import tsx edge-agent/src/cli/validate-configs.ts "$config") || fail "fix the config first"

echo "copying to $root$prefix"
mkdir -p "$root$prefix" "$root/etc/takt" "$root/etc/systemd/system" "$root/var/lib/takt"
tar -C "$src" --exclude=node_modules --exclude=dist --exclude=.takt --exclude=.git -cf - . | tar -C "$root$prefix" -xf -
(cd "$root$prefix" && npm ci --omit=dev --no-audit --no-fund --workspace edge-agent --workspace protocol >/dev/null \
  && "$node" edge-agent/build.mjs)

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
systemctl daemon-reload
systemctl enable --now takt-edge.service
echo "takt-edge is running: journalctl -u takt-edge -f   (set the password in /etc/takt/edge.env, then systemctl restart takt-edge)"
