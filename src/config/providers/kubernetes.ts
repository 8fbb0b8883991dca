import { z } from 'zod'

export const kubernetesProviderSchema = z
  .strictObject({
    context: z
      .string()
      .optional()
      .describe('kubeconfig context (KUBECONFIG or ~/.kube/config; in-cluster when absent).'),
    namespace: z.string().default('default'),
    service: z.string().optional().describe('Name of the live Service; defaults to the service name.'),
    servicePort: z.number().int().min(1).max(65535).default(80),
    serviceType: z.enum(['ClusterIP', 'NodePort', 'LoadBalancer']).default('ClusterIP'),
    previewService: z.string().optional().describe('Name of the preview Service pointing at green.'),
    labels: z.record(z.string(), z.string()).default({}),
    annotations: z.record(z.string(), z.string()).default({}),
  })
  .describe('Kubernetes: one Deployment per colour, a Service selector switch.')
