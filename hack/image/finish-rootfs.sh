#!/usr/bin/env bash
# mmdebstrap extract hook for the image's root filesystem (ROOTFS, PINS). The extract variant
# unpacks .deb files and runs no maintainer script, so this does the little they would have
# done that the operator needs, and records what was installed:
#   - fails unless the .deb files apt fetched are exactly the pinned packages and versions;
#   - /var/lib/dpkg/status and info/*.list, so scanners and SBOM tools see the packages;
#   - /etc/passwd and /etc/group with root and nonroot (65532), neither with a usable shell;
#   - /etc/ssl/certs/ca-certificates.crt, the bundle update-ca-certificates would build;
#   - /etc/os-release (Debian 12), /tmp (1777) and /etc/nsswitch.conf.
set -euo pipefail
rootfs=$1
pins=$2
archives=$rootfs/var/cache/apt/archives

check_pins() {
  local want got
  want=$(grep -Ev '^[[:space:]]*(#|$)' "$pins" | sort)
  got=$(for deb in "$archives"/*.deb; do dpkg-deb --show --showformat='${Package}=${Version}\n' "$deb"; done | sort)
  if [ "$want" != "$got" ]; then
    echo "image: the Debian packages differ from hack/image/debian-packages.txt (< pinned, > fetched):" >&2
    diff <(echo "$want") <(echo "$got") >&2 || true
    exit 1
  fi
}

write_dpkg_db() {
  local deb pkg
  mkdir -p "$rootfs/var/lib/dpkg/info"
  : >"$rootfs/var/lib/dpkg/status"
  for deb in "$archives"/*.deb; do
    pkg=$(dpkg-deb --show --showformat='${Package}' "$deb")
    dpkg-deb --field "$deb" | sed '1a Status: install ok installed' >>"$rootfs/var/lib/dpkg/status"
    echo >>"$rootfs/var/lib/dpkg/status"
    dpkg-deb --fsys-tarfile "$deb" | tar -t | sed -e 's#^\./#/#' -e 's#/$##' -e 's#^$#/.#' \
      >"$rootfs/var/lib/dpkg/info/$pkg.list"
  done
}

write_users() {
  printf '%s\n' 'root:x:0:0:root:/root:/sbin/nologin' 'nonroot:x:65532:65532:nonroot:/nonexistent:/sbin/nologin' \
    >"$rootfs/etc/passwd"
  printf '%s\n' 'root:x:0:' 'nonroot:x:65532:' >"$rootfs/etc/group"
  chmod 0644 "$rootfs/etc/passwd" "$rootfs/etc/group"
}

write_ca_bundle() {
  local crt
  mkdir -p "$rootfs/etc/ssl/certs"
  for crt in "$rootfs"/usr/share/ca-certificates/mozilla/*.crt; do
    cat "$crt"
    # update-ca-certificates ends every certificate with a newline too.
    [ -z "$(tail -c1 "$crt")" ] || echo
  done >"$rootfs/etc/ssl/certs/ca-certificates.crt"
  chmod 0644 "$rootfs/etc/ssl/certs/ca-certificates.crt"
}

check_pins
write_dpkg_db
write_users
write_ca_bundle
# os-release tells scanners (and SBOM tools) which distribution's advisories apply; base-files,
# which ships it, is not extracted (it brings a shell's profile and more).
write_os_release() {
  cat >"$rootfs/usr/lib/os-release" <<'OS'
PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
HOME_URL="https://www.debian.org/"
SUPPORT_URL="https://www.debian.org/support"
BUG_REPORT_URL="https://bugs.debian.org/"
OS
  chmod 0644 "$rootfs/usr/lib/os-release"
  ln -sf ../usr/lib/os-release "$rootfs/etc/os-release"
}

write_os_release
printf 'hosts: files dns\n' >"$rootfs/etc/nsswitch.conf"
install -d -m 1777 "$rootfs/tmp"
