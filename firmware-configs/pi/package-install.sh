#!/usr/bin/env bash
# Install the Takt edge agent from its offline package (`npm run package:edge` ships this file
# as install.sh at the top of dist/takt-edge-<version>-<arch>.tar.gz). Needs only Node.js on
# the PATH: no npm, no source tree, no internet.
#
#   tar -xzf takt-edge-<version>-<arch>.tar.gz
#   sudo takt-edge-<version>-<arch>/install.sh /path/to/<gateway>.yaml
#   sudo takt-edge-<version>-<arch>/install.sh      # an upgrade: keeps /etc/takt/gateway.yaml
#   sudo takt-edge-<version>-<arch>/install.sh --package-key release.pub --config-key config.pub gw.yaml
#
# --package-key installs the release key's public half as /etc/takt/package-signing.pub: the
# agent then accepts signed updates pushed from the Gateways page (without it every update is
# refused). --config-key installs the server's config-signing key as
# /etc/takt/config-signing.pub for remote configuration. A config given here replaces one
# pushed remotely earlier (/var/lib/takt/gateway.yaml).
#
# Checks Node (20 or newer, 22 or 24 recommended), that the package was built for this
# machine's architecture (`uname -m`) and that no file differs from manifest.json, validates
# the gateway YAML with the bundled validate-configs, installs the package to
# /opt/takt-edge/<version> beside earlier versions and points /opt/takt-edge/current at it,
# then installs the config, secrets file and sandboxed unit as firmware-configs/pi/install.sh
# does (common.sh) and restarts the service.
#
# --root DIR installs into DIR instead of / and skips useradd/systemctl (used by the tests).
set -euo pipefail

root=""
package_key=""
config_key=""
while [ $# -gt 0 ]; do
  case "$1" in
    --root) root="${2:?--root needs a directory}"; shift 2 ;;
    --package-key) package_key="${2:?--package-key needs a file}"; shift 2 ;;
    --config-key) config_key="${2:?--config-key needs a file}"; shift 2 ;;
    --*) echo "install.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
given="${1:-}"
# Without a config, an upgrade keeps the installed /etc/takt/gateway.yaml.
config="${given:-$root/etc/takt/gateway.yaml}"
pkg="$(cd "$(dirname "$0")" && pwd)"
base="/opt/takt-edge"
me=install.sh
# shellcheck source=firmware-configs/pi/common.sh
. "$pkg/common.sh"

takt_check_node
[ -f "$pkg/manifest.json" ] || fail "no manifest.json beside install.sh: unpack the whole archive"
manifest() { "$node" -p "const m = require(process.argv[1]); $1" "$pkg/manifest.json" "${2:-}"; }
version="$(manifest 'm.version')"
arch="$(manifest 'm.arch')"
machine="${TAKT_UNAME_M:-$(uname -m)}"
if ! manifest 'm.uname.join("\n")' | grep -qx -- "$machine"; then
  wanted="$(manifest "m.machines[process.argv[2]] ?? ''" "$machine")"
  fail "this package is for $arch ($(manifest 'm.uname.join(" or ")')) but this machine is $machine: ${wanted:+use takt-edge-$version-$wanted.tar.gz}${wanted:-no package is built for it}"
fi
[ -f "$config" ] || fail "no config file at $config (usage: install.sh [--root DIR] [--package-key FILE] [--config-key FILE] [gateway.yaml])"
takt_check_root

echo "checking the package's files"
"$node" -e '
const { createHash } = require("node:crypto");
const { readFileSync } = require("node:fs");
const { join } = require("node:path");
const dir = process.argv[1];
const m = JSON.parse(readFileSync(join(dir, "manifest.json"), "utf8"));
const bad = Object.entries(m.files).filter(([f, sum]) => {
  try { return createHash("sha256").update(readFileSync(join(dir, f))).digest("hex") !== sum; }
  catch { return true; }
});
if (bad.length) { console.error(bad.map(([f]) => "  " + f).join("\n")); process.exit(1); }
' "$pkg" || fail "these files are missing or differ from manifest.json: unpack the archive again"

echo "checking $config"
"$node" "$pkg/edge-agent/dist/validate-configs.mjs" "$config" || fail "fix the config first"

# The keys first: a wrong file stops the install before the code changes.
[ -z "$package_key" ] || takt_install_key "$package_key" package-signing.pub
[ -z "$config_key" ] || takt_install_key "$config_key" config-signing.pub

target="$root$base/$version"
echo "installing $version ($arch) to $target"
mkdir -p "$root$base"
rm -rf "$target.new"
mkdir "$target.new"
# Owned by whoever runs this (root), not by the archive's or the unpacker's user.
tar -C "$pkg" -cf - . | tar -C "$target.new" --no-same-owner --no-same-permissions -xf -
takt_lock_code "$target.new"
rm -rf "$target"
mv "$target.new" "$target"
# Switch `current` in one step (rename over the old link): the unit runs $base/current.
ln -sfn "$version" "$root$base/current.new"
mv -T "$root$base/current.new" "$root$base/current"

takt_install_config "$config"
if [ -n "$given" ] && [ -f "$root/var/lib/takt/gateway.yaml" ]; then
  # The config given here wins over one pushed from the Gateways page earlier.
  rm -f "$root/var/lib/takt/gateway.yaml"
  echo "removed the remotely applied config $root/var/lib/takt/gateway.yaml: $config runs now"
fi
takt_install_unit "$target/takt-edge.service" "$base/current"
takt_install_update_units "$target" "$base/current"
takt_enable_service
