// The demo's Kubernetes workloads: the SQS worker's Deployment and its HPA, both far above
// the ceilings in examples/orders-worker-guard.yaml. No kubelet runs, so no Pod starts.
export const WORKLOADS_YAML = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: orders-worker }
spec:
  replicas: 45
  selector: { matchLabels: { app: orders-worker } }
  template:
    metadata: { labels: { app: orders-worker } }
    spec: { containers: [ { name: worker, image: example.com/orders-worker:1.0 } ] }
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: orders-worker }
spec:
  scaleTargetRef: { apiVersion: apps/v1, kind: Deployment, name: orders-worker }
  minReplicas: 2
  maxReplicas: 100
`;
