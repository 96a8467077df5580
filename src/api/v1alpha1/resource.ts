// The whole CostGuard object: the schema root that becomes openAPIV3Schema, and its TS type.
import { Type } from '@sinclair/typebox';
import type { V1ObjectMeta } from '@kubernetes/client-node';
import type { API_VERSION, KIND } from './constants.ts';
import { CostGuardSpec } from './spec.ts';
import { CostGuardStatus } from './status.ts';

export const CostGuardSchema = Type.Object(
  {
    apiVersion: Type.String({
      description:
        'APIVersion defines the versioned schema of this representation of an object. Servers should convert ' +
        'recognized schemas to the latest internal value, and may reject unrecognized values.',
    }),
    kind: Type.String({
      description:
        'Kind is a string value representing the REST resource this object represents. Servers may infer this ' +
        'from the endpoint the client submits requests to. In CamelCase.',
    }),
    // The API server owns metadata's schema: anything but name/generateName here is rejected,
    // a description included.
    metadata: Type.Object({}),
    spec: CostGuardSpec,
    status: Type.Optional(CostGuardStatus),
  },
  {
    description:
      'CostGuard stops autoscaling cost runaways for a set of targets: it holds ceilings on Auto Scaling ' +
      'groups, NodePools and replicas, caps fleet concurrency, detects retry feedback loops and brakes them, ' +
      'and alerts on cost.',
  },
);

export interface CostGuard {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  // The index signature lets generic object helpers (keys, finalizers, events) accept a CostGuard.
  metadata: V1ObjectMeta & Record<string, unknown>;
  spec: CostGuardSpec;
  status?: CostGuardStatus;
}

export interface CostGuardList {
  apiVersion: typeof API_VERSION;
  kind: 'CostGuardList';
  metadata: { resourceVersion?: string; continue?: string };
  items: CostGuard[];
}
