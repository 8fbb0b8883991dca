import { z } from 'zod'

export const localProviderSchema = z
  .strictObject({
    listen: z
      .string()
      .regex(/^[\w.:[\]-]+:\d{1,5}$/, 'must be HOST:PORT, e.g. 127.0.0.1:8080')
      .refine((listen) => {
        const port = Number(listen.slice(listen.lastIndexOf(':') + 1))
        return port >= 1 && port <= 65535
      }, 'the port must be 1..65535')
      .default('127.0.0.1:8080')
      .describe('Where the front proxy listens (HOST:PORT).'),
    stateDir: z
      .string()
      .default('.gwdeploy')
      .describe('Directory (relative to gwdeploy.yml) for process state, logs and the audit log.'),
  })
  .describe('The embedded local provider: gateway processes on this machine behind a front proxy.')
