# Steps shared by the two ways of installing the edge agent on a gateway: from a checkout
# (firmware-configs/pi/install.sh) and from the offline package (firmware-configs/pi/
# package-install.sh, which `npm run package:edge` ships as install.sh beside this file).
# Sourced, not run. The caller sets `me` (its name in messages) and `root` ("" or --root DIR).

fail() { echo "$me: $*" >&2; exit 1; }

# Sets `node` to the Node.js on the PATH; 20 or newer, 22 or 24 recommended (node-opcua
# declares >= 22.13; 20.19 is the tested minimum and still runs).
takt_check_node() {
  node="$(command -v node || true)"
  [ -n "$node" ] || fail "node is not on the PATH: install Node.js 22 or 24 first"
  local major
  major="$("$node" -p 'process.versions.node.split(".")[0]')"
  [ "$major" -ge 20 ] || fail "Node.js $major found; the agent needs 20 or newer (22 or 24 recommended)"
  [ "$major" -ge 22 ] || echo "$me: Node.js $major is past its end of life; 22 or 24 is recommended" >&2
}

takt_check_root() {
  if [ -z "$root" ] && [ "$(id -u)" -ne 0 ]; then fail "run as root (sudo)"; fi
}

# takt_install_config <gateway.yaml>: the config in /etc/takt/gateway.yaml, an empty secrets
# file /etc/takt/edge.env (mode 0600) unless one exists, and the state dir.
takt_install_config() {
  mkdir -p "$root/etc/takt" "$root/etc/systemd/system" "$root/var/lib/takt"
  if [ "$(realpath "$1")" != "$(realpath "$root/etc/takt/gateway.yaml" 2>/dev/null || true)" ]; then
    install -m 0644 "$1" "$root/etc/takt/gateway.yaml"
  fi
  if [ ! -f "$root/etc/takt/edge.env" ]; then
    install -m 0600 /dev/null "$root/etc/takt/edge.env"
    echo "# TAKT_MQTT_PASSWORD=... (the gateway's broker password)" > "$root/etc/takt/edge.env"
  fi
}

# takt_install_unit <takt-edge.service template> <prefix>: fills in the node binary and the
# directory holding edge-agent/dist/.
takt_install_unit() {
  sed -e "s#@NODE@#$node#g" -e "s#@PREFIX@#$2#g" "$1" > "$root/etc/systemd/system/takt-edge.service"
}

# takt_install_update_units <dir with the two templates> <prefix>: the root updater of signed
# agent updates and the path unit that starts it (firmware-configs/pi/takt-edge-update.*).
takt_install_update_units() {
  local unit
  for unit in takt-edge-update.path takt-edge-update.service; do
    sed -e "s#@NODE@#$node#g" -e "s#@PREFIX@#$2#g" "$1/$unit" > "$root/etc/systemd/system/$unit"
  done
}

# takt_install_key <public key PEM> <name in /etc/takt>: an Ed25519 public key (the release
# key's for agent updates, the server's for remote configuration), checked before it is put.
takt_install_key() {
  [ -f "$1" ] || fail "no key file at $1"
  "$node" -e '
const { createPublicKey } = require("node:crypto");
const key = createPublicKey(require("node:fs").readFileSync(process.argv[1]));
if (key.asymmetricKeyType !== "ed25519") throw new Error("not an Ed25519 key");
' "$1" 2>/dev/null || fail "$1 is not an Ed25519 public key (PEM)"
  mkdir -p "$root/etc/takt"
  install -m 0644 "$1" "$root/etc/takt/$2"
  echo "installed $root/etc/takt/$2"
}

# The code belongs to root and nobody else can change it.
takt_lock_code() {
  chmod -R go-w "$1"
  if [ "$(id -u)" -eq 0 ]; then chown -R root:root "$1"; fi
}

# The unprivileged `takt` user in the dialout group owns only /var/lib/takt; the unit is
# enabled and (re)started. Nothing of this with --root.
takt_enable_service() {
  if [ -n "$root" ]; then
    echo "installed under $root (no user or service changes with --root)"
    return 0
  fi
  id takt >/dev/null 2>&1 || useradd --system --home-dir /var/lib/takt --shell /usr/sbin/nologin --groups dialout takt
  chown -R takt:takt /var/lib/takt
  chmod 0700 /var/lib/takt
  systemctl daemon-reload
  systemctl enable takt-edge.service
  systemctl restart takt-edge.service
  if [ -f /etc/systemd/system/takt-edge-update.path ]; then
    systemctl enable --now takt-edge-update.path
  fi
  echo "takt-edge is running: journalctl -u takt-edge -f   (set the password in /etc/takt/edge.env, then systemctl restart takt-edge)"
}
