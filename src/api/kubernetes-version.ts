// The Kubernetes release whose API schemas we embed and whose kube-apiserver the integration tests run.
export const KUBERNETES_VERSION = 'v1.37.2';
