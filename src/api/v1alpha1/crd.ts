// The CustomResourceDefinition, built from the schema so the two can never disagree.
import {
  CATEGORIES,
  CRD_NAME,
  GROUP,
  KIND,
  LIST_KIND,
  PLURAL,
  SHORT_NAMES,
  SINGULAR,
  VERSION,
} from './constants.ts';
import { toOpenApi } from './emit.ts';
import { CostGuardSchema } from './resource.ts';

export interface PrinterColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  jsonPath: string;
  description: string;
  priority?: number;
}

/** The columns of `kubectl get costguards`: the answers an on-call engineer wants first. */
export const PRINTER_COLUMNS: readonly PrinterColumn[] = [
  {
    name: 'Mode',
    type: 'string',
    jsonPath: '.status.effectiveMode',
    description: 'What the guard does now: Enforce, DryRun, or Paused (costguard.io/paused is "true").',
  },
  { name: '$/H', type: 'string', jsonPath: '.status.cost.estimatedHourly', description: 'Live USD per hour estimate.' },
  {
    name: 'Worst$/H',
    type: 'string',
    jsonPath: '.status.cost.worstCaseHourly',
    description: 'USD per hour if every target ran at its ceiling.',
  },
  { name: 'Runaway', type: 'string', jsonPath: '.status.runaway.state', description: 'Runaway detector state.' },
  { name: 'Breaker', type: 'string', jsonPath: '.status.breaker.state', description: 'Fleet breaker state.' },
  {
    name: 'Ready',
    type: 'string',
    jsonPath: '.status.conditions[?(@.type=="Ready")].status',
    description: 'Status of the Ready condition.',
  },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Time since creation.' },
];

/** The CostGuard CRD as a plain object, ready to serialise or to send to the API server. */
export function buildCrd(): Record<string, unknown> {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: CRD_NAME,
      labels: { 'app.kubernetes.io/name': 'costguard', 'app.kubernetes.io/part-of': 'costguard' },
    },
    spec: {
      group: GROUP,
      names: {
        kind: KIND,
        listKind: LIST_KIND,
        plural: PLURAL,
        singular: SINGULAR,
        shortNames: [...SHORT_NAMES],
        categories: [...CATEGORIES],
      },
      scope: 'Namespaced',
      versions: [
        {
          name: VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: PRINTER_COLUMNS.map((c) => ({ ...c })),
          schema: { openAPIV3Schema: toOpenApi(CostGuardSchema) },
        },
      ],
    },
  };
}
