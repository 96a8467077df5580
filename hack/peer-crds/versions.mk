# The peers' versions whose CRDs the tests install (make peer-crds copies them out of the Go
# modules into .tools/crds). Read by the Makefile and by hack/localenv/assets.ts.
KARPENTER_VERSION := v1.14.1
KEDA_VERSION := v2.20.2
