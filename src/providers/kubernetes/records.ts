/**
 * Release records in the cluster: one ConfigMap per record in the service's namespace, named
 * `<instance>-release-<time>-<op>-<sha7>-<rand>` (names sort by time), labelled like the rest of
 * the service plus `gwdeploy.dev/record`. `data["record.json"]` holds the record,
 * `data["gateway.json"]` the stamped config (a ConfigMap holds up to 1 MiB).
 */
import type * as k8s from '@kubernetes/client-node'
import { recordsToPrune } from '../../core/record-prune.ts'
import { recordFileName } from '../file-records.ts'
import { parseRecord } from '../record-shape.ts'
import type { CallOptions, RecordListOptions, ReleaseRecord, ReleaseRecords } from '../types.ts'
import { call, type KubeClient, unlessNotFound } from './client.ts'
import { baseSelector, type KubeNames, LABEL, MANAGED_BY, selectorString } from './names.ts'

export const RECORD_LABEL = 'gwdeploy.dev/record'

/** The ConfigMap for a record (tested against the real cluster: test/e2e/records-kubernetes.test.ts). */
export function recordConfigMap(names: KubeNames, record: ReleaseRecord): k8s.V1ConfigMap {
  const { configText, ...rest } = record
  const stem = recordFileName(record)
    .replace(/\.json$/, '')
    .toLowerCase()
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: `${names.instance}-release-${stem}`.slice(0, 253),
      namespace: names.namespace,
      labels: {
        ...baseSelector(names),
        [LABEL.managedBy]: MANAGED_BY,
        [RECORD_LABEL]: 'release',
        ...(record.sha ? { [LABEL.sha]: record.sha.slice(0, 63) } : {}),
      },
    },
    data: { 'record.json': JSON.stringify(rest), ...(configText ? { 'gateway.json': configText } : {}) },
  }
}

export class ConfigMapRecords implements ReleaseRecords {
  readonly where: string
  readonly #api: () => Promise<KubeClient>
  readonly #names: KubeNames

  constructor(api: () => Promise<KubeClient>, names: KubeNames) {
    this.#api = api
    this.#names = names
    this.where = `ConfigMaps labelled ${RECORD_LABEL} in namespace ${names.namespace}`
  }

  /**
   * One API call, stopped mid-call when `signal` (the run's interrupt) aborts, with its reason;
   * each call is one object created, deleted or listed, so a stop leaves no record half-written.
   */
  async #call<T>(what: string, fn: (client: KubeClient) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const client = (await this.#api()).under(signal)
    return call(what, client, () => fn(client), signal)
  }

  async append(record: ReleaseRecord, options: CallOptions = {}): Promise<void> {
    const body = recordConfigMap(this.#names, record)
    await this.#call(
      `create ConfigMap ${this.#names.namespace}/${body.metadata?.name}`,
      (client) => client.core.createNamespacedConfigMap({ namespace: this.#names.namespace, body }),
      options.signal,
    )
  }

  /** The record ConfigMaps, newest first. */
  async #items(signal: AbortSignal | undefined): Promise<k8s.V1ConfigMap[]> {
    const selector = selectorString({ ...baseSelector(this.#names), [RECORD_LABEL]: 'release' })
    const list = await this.#call(
      `list ConfigMaps ${this.#names.namespace} -l ${selector}`,
      (client) =>
        client.core.listNamespacedConfigMap({ namespace: this.#names.namespace, labelSelector: selector }),
      signal,
    )
    return [...list.items].sort((a, b) => (b.metadata?.name ?? '').localeCompare(a.metadata?.name ?? ''))
  }

  /** Deletes what `records.keep` lets go (record-prune.ts); returns how many went. */
  async prune(keep: number, options: CallOptions = {}): Promise<number> {
    const items = await this.#items(options.signal)
    if (items.length <= keep) return 0
    const doomed = recordsToPrune(
      items.map((item) => {
        try {
          return recordOf(item)
        } catch {
          return undefined
        }
      }),
      keep,
    )
    const old = items.filter((_, i) => doomed[i])
    for (const item of old) {
      const name = item.metadata?.name ?? ''
      await this.#call(
        `delete ConfigMap ${this.#names.namespace}/${name}`,
        (client) =>
          unlessNotFound(() =>
            client.core.deleteNamespacedConfigMap({ name, namespace: this.#names.namespace }),
          ),
        options.signal,
      )
    }
    return old.length
  }

  async list(limit: number, options: RecordListOptions = {}): Promise<ReleaseRecord[]> {
    const newest = (await this.#items(options.signal)).slice(0, limit)
    const records: ReleaseRecord[] = []
    for (const item of newest) {
      try {
        records.push(recordOf(item))
      } catch (error) {
        // emptied or edited by hand: the others still list, and the reader is told which one is missing
        options.unreadable?.(
          `ConfigMap ${this.#names.namespace}/${item.metadata?.name ?? '?'}`,
          (error as Error).message,
        )
      }
    }
    return records
  }
}

/** The record a ConfigMap holds; throws why it holds none gwdeploy wrote. */
function recordOf(item: k8s.V1ConfigMap): ReleaseRecord {
  const text = item.data?.['record.json']
  if (!text) throw new Error('it has no record.json key')
  const record = parseRecord(text)
  const config = item.data?.['gateway.json']
  return config ? { ...record, configText: config } : record
}
