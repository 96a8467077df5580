// A real ValidatingAdmissionPolicy (and its binding) that refuses CostGuard status writes for
// which `allow` (a CEL expression over `object`) is false: how tests hold the operator at the
// moment a status write fails, without a fake API server.
export function refuseStatusPolicy(name: string, allow: string, message: string): string {
  return [
    'apiVersion: admissionregistration.k8s.io/v1',
    'kind: ValidatingAdmissionPolicy',
    `metadata: { name: ${name} }`,
    'spec:',
    '  failurePolicy: Fail',
    '  matchConstraints:',
    '    resourceRules: [{ apiGroups: [costguard.io], apiVersions: ["*"], operations: [UPDATE], resources: [costguards/status] }]',
    `  validations: [{ expression: "${allow}", message: "${message}" }]`,
    '---',
    'apiVersion: admissionregistration.k8s.io/v1',
    'kind: ValidatingAdmissionPolicyBinding',
    `metadata: { name: ${name} }`,
    `spec: { policyName: ${name}, validationActions: [Deny] }`,
  ].join('\n');
}
