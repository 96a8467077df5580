#!/usr/bin/env bash
# Renders the chart with its default values and with every feature on (values-full.yaml) and
# runs checkov's Kubernetes policies on both renders. hack/lint/checkov-<render>.yaml lists the
# checks skipped for that render, each with the reason beside it. Usage: checkov-chart.sh
# CHECKOV HELM
set -euo pipefail
checkov=$1
helm=$2
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

"$helm" template costguard "$root/charts/costguard" --namespace costguard-system >"$out/default.yaml"
"$helm" template costguard "$root/charts/costguard" --namespace costguard-system \
  -f "$root/test/integration/chart/values-full.yaml" >"$out/full.yaml"
for render in default full; do
  echo "checkov: chart rendered with $render values"
  "$checkov" --config-file "$root/hack/lint/checkov-$render.yaml" --file "$out/$render.yaml"
done
