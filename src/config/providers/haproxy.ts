import { z } from 'zod'

const endpoint = z
  .string()
  .min(1)
  .describe('The runtime API (stats socket, level admin): a unix socket path, or ipv4@HOST:PORT / HOST:PORT.')

const address = z
  .string()
  .regex(/^[\w.-]+:\d{1,5}$/, 'must be HOST:PORT, e.g. 10.0.0.11:8080')
  .refine((value) => {
    const port = Number(value.slice(value.lastIndexOf(':') + 1))
    return port >= 1 && port <= 65535
  }, 'the port must be 1-65535, e.g. 10.0.0.11:8080')
  .describe('HOST:PORT of one gateway node.')

/** A proxy name as HAProxy accepts it (it refuses others at start), so it is safe in runtime commands. */
const proxyName = (what: string, fallback: string) =>
  z
    .string()
    .regex(
      /^[A-Za-z0-9_.:-]+$/,
      `must be a name as haproxy.cfg spells it (letters, digits, '_', '.', ':', '-'), e.g. ${fallback}`,
    )
    .default(fallback)
    .describe(what)

export const haproxyProviderSchema = z
  .strictObject({
    instances: z
      .array(
        z.strictObject({
          name: z
            .string()
            .optional()
            .describe('Label for this instance in status output (default lb1, lb2, ...).'),
          socket: endpoint,
          configFile: z
            .string()
            .min(1)
            .describe(
              'This instance’s haproxy.cfg (relative to gwdeploy.yml): its gwdeploy server blocks are rewritten, checked with `haproxy -c` and renamed into place on every change.',
            ),
          mapFile: z
            .string()
            .min(1)
            .regex(/^[^\s;]+$/, 'must be a path without spaces or ";" (it is sent in runtime API commands)')
            .describe(
              'The map file the frontend reads the green share from, exactly as haproxy.cfg names it; rewritten atomically on every switch.',
            ),
          masterSocket: endpoint
            .optional()
            .describe(
              'The master CLI (`haproxy -W -S <socket>`): gwdeploy reloads HAProxy through it when a new maintenance page must be loaded. Without it, `gwdeploy maintenance on` with a new page asks you to reload.',
            ),
        }),
      )
      .min(1)
      .describe(
        'HAProxy instances that route traffic; all of them switch together (an HA pair is two entries).',
      ),
    frontend: proxyName('The frontend that routes to the gateway backends.', 'gateway'),
    backends: z
      .strictObject({
        blue: proxyName('Backend of the blue colour.', 'be_blue'),
        green: proxyName('Backend of the green colour.', 'be_green'),
      })
      .prefault({})
      .describe('Backend names per colour.'),
    slots: z
      .number()
      .int()
      .min(1)
      .max(500)
      .default(10)
      .describe(
        'Server slots per backend in the gwdeploy server blocks (blue1..blueN): the most nodes a colour can have without a reload.',
      ),
    serverOptions: z
      .string()
      .default('check inter 1s rise 2 fall 3')
      .describe(
        'Options on every slot server line gwdeploy writes (add `proto h2` for h2c towards the gateway). Changing them needs a reload.',
      ),
    stateDir: z
      .string()
      .optional()
      .describe(
        'Where the release lock, the fleet record (with the target’s id on its Docker hosts) and the release records live (default: the directory of the first instance’s configFile). Keep it with the target: a new stateDir is a new target.',
      ),
    dockerHosts: z
      .array(
        z.strictObject({
          host: z
            .string()
            .regex(/^(unix|tcp|ssh):\/\//, 'must start with unix://, tcp:// or ssh://')
            .describe(
              'DOCKER_HOST-style address: unix:///var/run/docker.sock, tcp://h:2376 (with tlsCertPath), ssh://user@h[:port] (key from the SSH agent, else ~/.ssh/id_ed25519|id_ecdsa|id_rsa).',
            ),
          publishAddress: z
            .string()
            .min(1)
            .describe('IP the containers publish their port on; HAProxy and gwdeploy reach the nodes there.'),
          tlsCertPath: z
            .string()
            .optional()
            .describe(
              'tcp:// with TLS: directory holding ca.pem, cert.pem and key.pem (like DOCKER_CERT_PATH), relative to gwdeploy.yml or absolute.',
            ),
        }),
      )
      .min(1)
      .optional()
      .describe('Docker hosts that run the fleet (nodes are spread over them). Omit when using `servers`.'),
    restartPolicy: z
      .enum(['no', 'always', 'unless-stopped', 'on-failure'])
      .default('unless-stopped')
      .describe('Docker restart policy of the gateway containers.'),
    servers: z
      .strictObject({ blue: z.array(address).min(1), green: z.array(address).min(1) })
      .optional()
      .describe(
        'Static node addresses per colour when the fleet is managed elsewhere (no image is deployed).',
      ),
  })
  .superRefine((haproxy, ctx) => {
    const modes = [haproxy.dockerHosts, haproxy.servers].filter((mode) => mode !== undefined).length
    if (modes !== 1) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message:
          modes === 0
            ? 'provider.haproxy needs either dockerHosts (gwdeploy runs the fleet) or servers (the fleet is managed elsewhere)'
            : 'provider.haproxy has both dockerHosts and servers: choose one',
      })
    }
    if (haproxy.backends.blue === haproxy.backends.green) {
      ctx.addIssue({
        code: 'custom',
        path: ['backends', 'green'],
        message: `blue and green both name backend "${haproxy.backends.green}": each colour needs its own backend (with its own "# BEGIN gwdeploy servers" block), e.g. be_blue and be_green`,
      })
    }
    const seen: Record<string, Map<string, number>> = { name: new Map(), socket: new Map() }
    haproxy.instances.forEach((instance, index) => {
      for (const key of ['name', 'socket'] as const) {
        const value = instance[key]
        if (value === undefined) continue
        const first = seen[key]?.get(value)
        if (first === undefined) seen[key]?.set(value, index)
        else
          ctx.addIssue({
            code: 'custom',
            path: ['instances', index, key],
            message: `instances[${first}] has the same ${key} ${JSON.stringify(value)}: list each HAProxy instance once`,
          })
      }
    })
    const colourOf = new Map<string, string>()
    for (const colour of ['blue', 'green'] as const) {
      haproxy.servers?.[colour].forEach((server, index) => {
        const other = colourOf.get(server)
        if (other !== undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['servers', colour, index],
            message: `${server} is listed twice (also in servers.${other}): each address is one node of one colour — blue and green must be different nodes, or the health gate cannot tell the new release from the one serving`,
          })
        else colourOf.set(server, `${colour}[${index}]`)
      })
    }
    for (const colour of ['blue', 'green'] as const) {
      const count = haproxy.servers?.[colour].length ?? 0
      if (count > haproxy.slots) {
        ctx.addIssue({
          code: 'custom',
          path: ['servers', colour],
          message: `${count} servers but only ${haproxy.slots} slots per backend: raise provider.haproxy.slots`,
        })
      }
    }
  })
  .describe('On-prem: HAProxy runtime API in front of Docker hosts or static servers.')

export type HaproxyProviderConfig = z.output<typeof haproxyProviderSchema>
