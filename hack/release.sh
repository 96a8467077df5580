#!/usr/bin/env bash
# The release, in order: the two npm packages, then the image, pushed and pinned by digest.
# Dry by default: `npm publish --dry-run` (which packs, so prepack builds dist/) and the image
# push printed, not run. RELEASE=publish does it for real; it needs `npm login` to a registry that
# owns the `costguard` name and the `@costguard` scope, `make image` output, skopeo, and
# REGISTRY (e.g. ghcr.io/your-org) with push rights.
# Usage: release.sh   (env: RELEASE=dry|publish, REGISTRY)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
mode=${RELEASE:-dry}
version=$(node -p 'require("./package.json").version')
worker_version=$(node -p 'require("./packages/worker/package.json").version')
[ "$version" = "$worker_version" ] || { echo "release: package.json is $version but packages/worker is $worker_version"; exit 1; }
image=dist/image/costguard.oci.tar
registry=${REGISTRY:-ghcr.io/costguard}

case $mode in
  dry) publish=(npm publish --dry-run) ;;
  publish) publish=(npm publish) ;;
  *) echo "release: RELEASE must be dry or publish, got $mode"; exit 1 ;;
esac

echo "==> 1/3 costguard $version (the operator and the costguard CLI)"
"${publish[@]}"
echo "==> 2/3 @costguard/worker $version (the worker library)"
"${publish[@]}" --access public ./packages/worker

echo "==> 3/3 the image $registry/costguard:$version"
if [ ! -f "$image" ]; then
  echo "no $image: build it first with make image (root), then run this again"
  [ "$mode" = dry ] && exit 0 || exit 1
fi
digest=$(cat "$image.digest")
push=(skopeo copy --preserve-digests "oci-archive:$image" "docker://$registry/costguard:$version")
if [ "$mode" = dry ]; then
  echo "would run: ${push[*]}"
else
  "${push[@]}"
fi
echo "image digest: $digest (the registry serves the same manifest digest)"
echo "install pinned by digest:"
echo "  helm install costguard charts/costguard -n costguard-system --create-namespace \\"
echo "    --set image.repository=$registry/costguard --set image.digest=$digest"
