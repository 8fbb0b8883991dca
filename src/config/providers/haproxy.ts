import { z } from 'zod'

const endpoint = z
  .string()
  .describe('A runtime API socket: a unix socket path or ipv4@HOST:PORT / HOST:PORT.')

export const haproxyProviderSchema = z
  .strictObject({
    instances: z
      .array(
        z.strictObject({
          name: z.string().optional().describe('Label for this instance in status output.'),
          socket: endpoint,
          configFile: z.string().optional().describe('haproxy.cfg to keep in sync with runtime changes.'),
          mapFile: z.string().optional().describe('Map file that names the live backend.'),
          stateFile: z.string().optional().describe('server-state-file written before reloads.'),
        }),
      )
      .min(1)
      .describe('HAProxy instances that route traffic; all of them switch together.'),
    frontend: z.string().default('gateway').describe('The frontend that routes to the gateway.'),
    backends: z
      .strictObject({ blue: z.string().default('be_blue'), green: z.string().default('be_green') })
      .prefault({})
      .describe('Backend names per colour.'),
    dockerHosts: z
      .array(
        z.strictObject({
          host: z
            .string()
            .describe('DOCKER_HOST-style address: unix:///var/run/docker.sock, tcp://h:2376, ssh://user@h'),
          publishAddress: z.string().describe('Address HAProxy reaches this host on.'),
        }),
      )
      .optional()
      .describe('Docker hosts that run the fleet. Omit when using `servers`.'),
    servers: z
      .strictObject({ blue: z.array(z.string()), green: z.array(z.string()) })
      .optional()
      .describe('Static server addresses per colour when the fleet is managed elsewhere.'),
  })
  .describe('On-prem: HAProxy runtime API in front of Docker hosts or static servers.')
