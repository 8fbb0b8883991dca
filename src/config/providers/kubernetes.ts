import { z } from 'zod'
import { duration } from '../duration.ts'

/** RFC 1123 label: what Kubernetes accepts as a Service / namespace name. */
const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a lowercase RFC 1123 name (a-z, 0-9, -)')
  .max(63)

const quantity = z
  .string()
  .regex(/^[0-9.]+(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$/, 'must be a Kubernetes quantity like 250m or 128Mi')

const resourceList = z.strictObject({ cpu: quantity.optional(), memory: quantity.optional() })

const toleration = z.strictObject({
  key: z.string().optional(),
  operator: z.enum(['Exists', 'Equal']).optional(),
  value: z.string().optional(),
  effect: z.enum(['NoSchedule', 'PreferNoSchedule', 'NoExecute']).optional(),
  tolerationSeconds: z.number().int().optional(),
})

export const kubernetesProviderSchema = z
  .strictObject({
    kubeconfig: z
      .string()
      .optional()
      .describe(
        'kubeconfig file; default KUBECONFIG, then ~/.kube/config, then the in-cluster service account.',
      ),
    context: z.string().optional().describe('kubeconfig context; default its current context.'),
    namespace: dnsLabel.default('default').describe('Namespace of the Deployments, Services and Lease.'),
    replicas: z.number().int().min(1).max(500).optional().describe('Pods per colour; default fleet.size.'),
    resources: z
      .strictObject({ requests: resourceList.optional(), limits: resourceList.optional() })
      .default({ requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } })
      .describe('Container resources (requests/limits of cpu and memory).'),
    nodeSelector: z.record(z.string(), z.string()).default({}).describe('Pod nodeSelector.'),
    tolerations: z.array(toleration).default([]).describe('Pod tolerations.'),
    imagePullSecrets: z
      .array(z.string())
      .default([])
      .describe('Names of existing Secrets used to pull the image (never their contents).'),
    serviceAccountName: z.string().optional().describe('Service account the gateway pods run as.'),
    service: dnsLabel.optional().describe('Name of the live Service; defaults to the service name.'),
    servicePort: z.number().int().min(1).max(65535).default(80),
    serviceType: z
      .enum(['ClusterIP', 'NodePort', 'LoadBalancer'])
      .default('ClusterIP')
      .describe('Type of the live Service: how clients outside the cluster reach it (status shows where).'),
    metricsPort: z
      .number()
      .int()
      .min(1)
      .max(65535)
      .default(9090)
      .describe(
        'Container port of the gateway\'s Prometheus /metrics (port name "metrics"); the bake reads error ratios from it.',
      ),
    previewService: dnsLabel
      .optional()
      .describe('Name of the preview Service pointing at green; default <service>-preview.'),
    labels: z.record(z.string(), z.string()).default({}),
    annotations: z.record(z.string(), z.string()).default({}),
    progressDeadline: duration
      .prefault('600s')
      .describe('Deployment progressDeadlineSeconds: a rollout stuck this long fails the release.'),
    drainGrace: duration
      .prefault('5s')
      .describe('preStop delay and gateway drain grace: time for endpoints to drop a stopping pod.'),
    drainTimeout: duration
      .prefault('30s')
      .describe('Longest in-flight request a stopping pod waits for (sets terminationGracePeriodSeconds).'),
  })
  .describe('Kubernetes: one Deployment per colour, a Service selector switch.')
