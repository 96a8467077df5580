// The generated artefacts as text. Kept apart from generate.ts (which writes them) so tests can
// compare what would be generated with what is committed, without touching the work tree.
import { stringify } from 'yaml';
import { buildCrd } from './crd.ts';
import { renderReference } from './docs.ts';

export const GENERATED_HEADER = '# generated from src/api/v1alpha1 by make generate; do not edit\n';
export const CRD_FILE = 'crds/costguard.io_costguards.yaml';
export const CHART_CRD_FILE = 'charts/costguard/crds/costguard.io_costguards.yaml';
export const REFERENCE_FILE = 'docs/crd-reference.md';

/** The CRD manifest; the same bytes every run. */
export function renderCrdYaml(): string {
  // lineWidth 0: never fold long descriptions or patterns, so diffs show the change, not reflow.
  return GENERATED_HEADER + stringify(buildCrd(), { lineWidth: 0, aliasDuplicateObjects: false });
}

/** Repository-relative path → content, for every generated file. */
export function renderGeneratedFiles(): Record<string, string> {
  const crd = renderCrdYaml();
  return { [CRD_FILE]: crd, [CHART_CRD_FILE]: crd, [REFERENCE_FILE]: renderReference() };
}
