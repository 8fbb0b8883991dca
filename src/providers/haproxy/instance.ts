/**
 * One HAProxy instance, driven through its runtime API and kept durable through its files: every
 * change is made live first (socket) and then written (files.ts).
 */
import { readFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { providerError } from '../../core/errors.ts'
import type { Colour, MaintenancePage, Weights } from '../types.ts'
import {
  claimBlocks,
  EMPTY_SLOT,
  renderMap,
  renderServerBlock,
  replaceServerBlock,
  SLOT_SERVER,
  type Slot,
  slotName,
  weightsFromEntries,
} from './config-file.ts'
import { ConfigCheckError, type InstanceFiles, type PreparedFiles, prepareFiles } from './files.ts'
import { withFilesLock } from './files-lock.ts'
import { readInstanceView } from './instance-view.ts'
import {
  MAINTENANCE_KEY,
  MAINTENANCE_OFF,
  renderMaintenanceBlock,
  replaceMaintenanceBlock,
  strAclIds,
  tokensInAcl,
} from './maintenance.ts'
import { removeUnnamedPages, writePageFiles } from './page-files.ts'
import {
  describeSocket,
  parseMapEntries,
  parseStatCsv,
  RuntimeApiError,
  runtimeCommand,
  type ServerState,
  type SocketAddress,
  socketHint,
} from './runtime-api.ts'

export interface RouterSettings {
  /** The gwdeploy target (service, or service-env) that owns the backends and the map. */
  target: string
  frontend: string
  backends: Record<Colour, string>
  slots: number
  serverOptions: string
}

export interface InstanceSpec {
  name: string
  socket: SocketAddress
  files: InstanceFiles
  /** The master CLI, for reloads (maintenance pages are loaded with the config). */
  master?: SocketAddress | undefined
}

/** What one instance says: the split it applies and the slot servers of each backend. */
export interface InstanceView {
  name: string
  weights: Weights
  servers: Record<Colour, ServerState[]>
  /** The map's maintenance entry: `off` or the token of the page being served. */
  maintenance: string
}

const COMMAND_ERROR =
  /No such (server|backend)|Unknown|Permission denied|Require |[Ii]nvalid|not found|unexpected|can't|cannot|error/

/** Errors raised before an instance changed anything (its files failed their check): nothing to put back. */
export const unchanged = new WeakSet<object>()

export class HaproxyInstance {
  readonly spec: InstanceSpec
  readonly #settings: RouterSettings

  constructor(spec: InstanceSpec, settings: RouterSettings) {
    this.spec = spec
    this.#settings = settings
  }

  get name(): string {
    return this.spec.name
  }

  /** One runtime command (or several joined with `;`); HAProxy's error text becomes a provider error. */
  async command(command: string, options: { allowError?: RegExp; read?: boolean } = {}): Promise<string> {
    let answer: string
    try {
      answer = await runtimeCommand(this.spec.socket, command)
    } catch (error) {
      const unreachable = error instanceof RuntimeApiError && error.unreachable
      throw providerError(
        `HAProxy ${this.name}: runtime API at ${describeSocket(this.spec.socket)} ${unreachable ? 'is not reachable' : 'failed'}: ${(error as Error).message}`,
        {
          hint: socketHint(
            error,
            'Check provider.haproxy.instances[].socket and that haproxy.cfg has `stats socket ... level admin` at that address.',
          ),
          ...(unreachable ? { details: { unreachable: this.name } } : {}),
        },
      )
    }
    if (options.read) return answer
    const bad = answer.split('\n').find((line) => COMMAND_ERROR.test(line) && !options.allowError?.test(line))
    if (bad) {
      throw providerError(`HAProxy ${this.name}: "${command.slice(0, 120)}" failed: ${bad.trim()}`, {
        hint: /Permission denied/.test(bad)
          ? 'The stats socket needs `level admin` for gwdeploy to change anything.'
          : 'Check provider.haproxy.backends / frontend / mapFile against this haproxy.cfg.',
      })
    }
    return answer
  }

  async #configText(): Promise<string> {
    try {
      return await readFile(this.spec.files.configFile, 'utf8')
    } catch (error) {
      throw providerError(
        `HAProxy ${this.name}: cannot read ${this.spec.files.configFile}: ${(error as Error).message}`,
        {
          hint: 'Set provider.haproxy.instances[].configFile to the haproxy.cfg this instance runs.',
        },
      )
    }
  }

  /** Reads and checks everything gwdeploy relies on; throws a provider error naming what is wrong. */
  async view(): Promise<InstanceView> {
    return readInstanceView(this, this.#settings, await this.#configText())
  }

  /** The live map entries (split and maintenance), so a file rewrite keeps what it does not change. */
  async #liveMap(): Promise<{ weights: Weights; maintenance: string }> {
    const entries = parseMapEntries(
      await this.command(`show map ${this.spec.files.mapReference}`, { read: true }),
    )
    return {
      weights: weightsFromEntries(entries) ?? { blue: 0, green: 0 },
      maintenance: entries.get(MAINTENANCE_KEY) ?? MAINTENANCE_OFF,
    }
  }

  async #setEntry(key: string, value: string | number): Promise<void> {
    const ref = this.spec.files.mapReference
    const answer = await this.command(`set map ${ref} ${key} ${value}`, { allowError: /not found/ })
    if (/not found/.test(answer)) await this.command(`add map ${ref} ${key} ${value}`)
  }

  /** Maintenance tokens whose rule the running HAProxy has loaded (from its inline ACLs). */
  async loadedPages(): Promise<Set<string>> {
    const tokens = new Set<string>()
    for (const id of strAclIds(await this.command('show acl', { read: true })))
      for (const token of tokensInAcl(await this.command(`show acl #${id}`, { read: true })))
        tokens.add(token)
    return tokens
  }

  /**
   * Writes the page files and the frontend's maintenance rules for `pages` (the new one, plus
   * the one being served while it is replaced), checked with `haproxy -c`; the map is not
   * touched, so nothing changes for clients yet.
   */
  async preparePages(pages: MaintenancePage[], frontend: string): Promise<void> {
    // Under the files lock: another writer's removeUnnamedPages must not see the file before its rule.
    await this.#locked(async () => {
      await writePageFiles(this.spec.files.mapFile, pages)
      await this.#writeMaintenanceRules(pages, frontend)
    })
  }

  /** After a switch: the frontend's maintenance rules name only `pages` (the one served, or none after `off`). */
  async keepOnlyRules(pages: MaintenancePage[], frontend: string): Promise<void> {
    await this.#locked(() => this.#writeMaintenanceRules(pages, frontend))
  }

  /**
   * Removes the page files beside the map that no config names any more (page-files.ts: `configFiles`
   * are the target's instances' configs, so a page one of them still names stays). Returns them.
   */
  async removeUnnamedPages(configFiles: string[]): Promise<string[]> {
    let removed: string[] = []
    await this.#locked(async () => {
      removed = await removeUnnamedPages(dirname(this.spec.files.mapFile), configFiles)
    })
    return removed
  }

  async #writeMaintenanceRules(pages: MaintenancePage[], frontend: string): Promise<void> {
    const text = await this.#configText()
    const next = replaceMaintenanceBlock(text, frontend, (indent) =>
      renderMaintenanceBlock(pages, this.spec.files.mapReference, indent),
    )
    if (next !== text) await this.#commit({ config: next })
  }

  /** Serves the page with this token (or `off`: routes again), live and in the map file. */
  async setMaintenance(value: string): Promise<void> {
    await this.#locked(async () => {
      const map = renderMap((await this.#liveMap()).weights, value, this.#settings.target)
      await this.#changeThenWrite({ map }, () => this.#setEntry(MAINTENANCE_KEY, value))
    })
  }

  /**
   * Reloads through the master CLI to load `what` (a maintenance page, new server options); a
   * failure is a provider error saying what clients were spared (`untouched`).
   */
  async reloadToLoad(what: string, untouched: string, progress?: (message: string) => void): Promise<void> {
    progress?.(`${this.name}: reloading HAProxy to load ${what}`)
    try {
      await this.reload()
    } catch (error) {
      throw providerError(
        `HAProxy ${this.name}: reload through the master socket failed: ${(error as Error).message}`,
        {
          hint: `${untouched} Check provider.haproxy.instances[].masterSocket (haproxy -W -S <socket>), or reload HAProxy yourself, then run the command again.`,
        },
      )
    }
  }

  /** Reloads through the master CLI and waits for the new worker's stats socket to answer. */
  async reload(): Promise<void> {
    const master = this.spec.master
    if (!master) throw new Error('no masterSocket')
    const workers = async () => {
      const answer = await runtimeCommand(master, 'show proc')
      return new Set([...answer.matchAll(/^(\d+)\s+worker\s/gm)].map((m) => m[1]))
    }
    const before = await workers()
    const answer = await runtimeCommand(master, 'reload')
    if (/not|fail|error/i.test(answer)) throw new Error(`reload: ${answer.trim()}`)
    const deadline = Date.now() + 30_000
    while (Date.now() < deadline) {
      const now = await workers().catch(() => new Set<string | undefined>())
      if ([...now].some((pid) => !before.has(pid))) {
        await runtimeCommand(this.spec.socket, 'show info')
        return
      }
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    throw new Error('no new worker within 30 s')
  }

  /**
   * Sets the split live and in the map file. Entries that grow are set before the ones that
   * shrink, so no request finds nothing to serve it; the switch itself is one `set map`.
   */
  async setWeights(weights: Weights, current: Weights): Promise<void> {
    const entries = (['blue', 'green'] as const)
      .map((colour) => ({ colour, value: weights[colour], grows: weights[colour] > current[colour] }))
      .sort((a, b) => Number(b.grows) - Number(a.grows))
    await this.#locked(async () => {
      const map = renderMap(weights, (await this.#liveMap()).maintenance, this.#settings.target)
      await this.#changeThenWrite({ map }, async () => {
        for (const { colour, value } of entries) {
          // `blue` only says whether blue serves: 100 - green is applied by the frontend rules.
          await this.#setEntry(colour, colour === 'blue' ? (value > 0 ? 100 : 0) : value)
        }
      })
    })
  }

  /** Points the colour's slots at `nodes` (the rest empty and in maintenance), live and in haproxy.cfg. */
  async setServers(colour: Colour, nodes: Slot[], live: ServerState[]): Promise<void> {
    const backend = this.#settings.backends[colour]
    if (nodes.length > live.length) {
      throw providerError(
        `HAProxy ${this.name}: backend ${backend} has ${live.length} slot(s), the ${colour} fleet has ${nodes.length} node(s)`,
        {
          hint: 'Raise provider.haproxy.slots (gwdeploy then writes that many slots) and reload HAProxy, or lower fleet.size.',
        },
      )
    }
    const commands: string[] = []
    live.forEach((server, index) => {
      const name = `${backend}/${slotName(colour, index)}`
      const node = nodes[index]
      const inMaint = (server.adminState & 0x23) !== 0
      if (node) {
        // A weight of 0 set by hand would keep the placed node from every request.
        const unweighted = server.weight === 0
        if (
          node.address === server.address &&
          node.port === server.port &&
          !inMaint &&
          !(server.adminState & 0x08) &&
          !unweighted
        )
          return
        commands.push(
          `set server ${name} state maint`,
          `set server ${name} addr ${node.address} port ${node.port}`,
          ...(unweighted ? [`set weight ${name} 100%`] : []),
          `set server ${name} state ready`,
        )
      } else if (!inMaint) commands.push(`set server ${name} state maint`)
    })
    const block = (indent: string) =>
      renderServerBlock(
        colour,
        nodes,
        Math.max(this.#settings.slots, live.length),
        this.#settings.serverOptions,
        indent,
        this.#settings.target,
      )
    const { backends, target } = this.#settings
    await this.#locked(async () => {
      const config = claimBlocks(
        replaceServerBlock(await this.#configText(), backend, block),
        [backends.blue, backends.green],
        target,
      )
      await this.#changeThenWrite({ config }, async () => {
        for (let i = 0; i < commands.length; i += 30) await this.command(commands.slice(i, i + 30).join(';'))
      })
    })
  }

  /** Stops sending new requests to the colour's filled slots; existing ones finish. */
  async drain(colour: Colour, live: ServerState[]): Promise<void> {
    const backend = this.#settings.backends[colour]
    const commands = live
      .filter(
        (s) =>
          (s.adminState & 0x2b) === 0 && !(s.address === EMPTY_SLOT.address && s.port === EMPTY_SLOT.port),
      )
      .map((s) => `set server ${backend}/${s.name} state drain`)
    if (commands.length) await this.command(commands.join(';'))
  }

  /** Current sessions on the colour's slot servers. */
  async sessions(colour: Colour): Promise<number> {
    const backend = this.#settings.backends[colour]
    const rows = parseStatCsv(await this.command('show stat', { read: true }))
    return rows
      .filter((row) => row.pxname === backend && SLOT_SERVER.test(row.svname ?? ''))
      .reduce((sum, row) => sum + Number(row.scur || 0), 0)
  }

  /** Requests and errors the colour's backend has answered (for the bake's error ratio). */
  async traffic(colour: Colour): Promise<{ requests: number; errors: number }> {
    const backend = this.#settings.backends[colour]
    const row = parseStatCsv(await this.command('show stat', { read: true })).find(
      (r) => r.pxname === backend && r.svname === 'BACKEND',
    )
    if (!row) return { requests: 0, errors: 0 }
    const n = (key: string) => Number(row[key] || 0)
    const requests = ['hrsp_1xx', 'hrsp_2xx', 'hrsp_3xx', 'hrsp_4xx', 'hrsp_5xx', 'hrsp_other'].reduce(
      (sum, key) => sum + n(key),
      0,
    )
    return { requests, errors: n('hrsp_5xx') + n('econ') + n('eresp') }
  }

  /** Runs a read-change-write of this instance's files as their only gwdeploy writer (files-lock.ts). */
  #locked(work: () => Promise<void>): Promise<void> {
    return withFilesLock(this.spec.files.configFile, work)
  }

  async #commit(next: { config?: string; map?: string }): Promise<void> {
    await this.#changeThenWrite(next, async () => {})
  }

  /**
   * The new file contents are written beside the files and checked with `haproxy -c` first; only
   * then is the running HAProxy changed (`change`), and the files renamed into place. A file
   * HAProxy would refuse therefore changes nothing, live or on disk.
   */
  async #changeThenWrite(
    next: { config?: string; map?: string },
    change: () => Promise<void>,
  ): Promise<void> {
    const file = next.config !== undefined ? this.spec.files.configFile : this.spec.files.mapFile
    let prepared: PreparedFiles
    try {
      prepared = await prepareFiles(this.spec.files, next)
    } catch (error) {
      const checked = error instanceof ConfigCheckError
      const failure = providerError(
        `HAProxy ${this.name}: could not write ${file}: ${(error as Error).message}`,
        {
          hint: checked
            ? `Nothing was changed on ${this.name} (live or on disk): fix ${this.spec.files.configFile} so that \`haproxy -c -f ${this.spec.files.configFile}\` accepts it, then run the command again.`
            : `Nothing was changed on ${this.name}: check that gwdeploy may write the HAProxy config directory.`,
        },
      )
      unchanged.add(failure)
      throw failure
    }
    try {
      await change()
      await prepared.apply().catch((error: Error) => {
        throw providerError(`HAProxy ${this.name}: could not write ${file}: ${error.message}`, {
          hint: 'The running HAProxy has the change but the file does not: a reload would undo it. Check that gwdeploy may write the HAProxy config directory.',
        })
      })
    } finally {
      await prepared.discard()
    }
  }
}
