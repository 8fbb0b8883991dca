/**
 * Release records on AWS: one SSM Parameter Store parameter per record under
 * `/gwdeploy/<service>[-<env>]/releases/`, its value the record as JSON with the stamped config
 * gzipped (base64). A value fits a standard parameter (4 KB) or an advanced one (8 KB); a config
 * too large for that is left out of the record (the image, deployed by digest, carries it).
 * The SSM client is imported lazily, only when records are read or written.
 */
import { gunzipSync, gzipSync } from 'node:zlib'
import type { SSMClient } from '@aws-sdk/client-ssm'
import { recordsToPrune } from '../../core/record-prune.ts'
import { recordFileName } from '../file-records.ts'
import { parseRecord } from '../record-shape.ts'
import type { CallOptions, RecordListOptions, ReleaseRecord, ReleaseRecords } from '../types.ts'
import { call, sdkClientConfig, stoppable, stoppedBy, timeoutsTriedTwice } from './clients.ts'
import type { AwsSettings } from './settings.ts'

const STANDARD_MAX = 4096
const ADVANCED_MAX = 8192

/** The stored form: the config travels gzipped, the rest as is. */
interface StoredRecord extends Omit<ReleaseRecord, 'configText'> {
  configGzip?: string
}

/** The parameter value for a record and its tier; pure (tested without AWS). */
export function encodeRecord(record: ReleaseRecord): { value: string; tier: 'Standard' | 'Advanced' } {
  const { configText, ...rest } = record
  const stored: StoredRecord = configText
    ? { ...rest, configGzip: gzipSync(configText).toString('base64') }
    : rest
  let value = JSON.stringify(stored)
  if (value.length > ADVANCED_MAX) value = JSON.stringify(rest)
  return { value, tier: value.length > STANDARD_MAX ? 'Advanced' : 'Standard' }
}

/**
 * The record a parameter value holds; throws (the caller names the parameter as unreadable) for
 * one that is not a record gwdeploy wrote (record-shape.ts).
 */
export function decodeRecord(value: string): ReleaseRecord {
  const { configGzip, ...rest } = parseRecord<StoredRecord>(value)
  if (configGzip !== undefined && typeof configGzip !== 'string')
    throw new Error('not a gwdeploy release record (bad or missing configGzip)')
  return configGzip ? { ...rest, configText: gunzipSync(Buffer.from(configGzip, 'base64')).toString() } : rest
}

export class SsmRecords implements ReleaseRecords {
  readonly where: string
  readonly #settings: AwsSettings
  readonly #path: string
  /**
   * Values read, by parameter name. A record's parameter is written once (PutParameter without
   * Overwrite, a unique name) and never changed, so a value read or written once in this process
   * stays right: of a run's writes only the first prune fetches what the run had not listed
   * before, and the next prunes only what others wrote since, not every record again.
   */
  readonly #read = new Map<string, string>()
  #client: Promise<{ ssm: SSMClient; sdk: typeof import('@aws-sdk/client-ssm') }> | undefined

  constructor(settings: AwsSettings) {
    this.#settings = settings
    this.#path = `/gwdeploy/${settings.key}/releases`
    this.where = `SSM parameters under ${this.#path}`
  }

  #ssm() {
    this.#client ??= import('@aws-sdk/client-ssm').then((sdk) => {
      const ssm = stoppable(timeoutsTriedTwice(new sdk.SSMClient(sdkClientConfig(this.#settings))))
      return { ssm, sdk }
    })
    return this.#client
  }

  append(record: ReleaseRecord, options: CallOptions = {}): Promise<void> {
    return stoppedBy(options.signal, () => this.#append(record))
  }

  async #append(record: ReleaseRecord): Promise<void> {
    const { ssm, sdk } = await this.#ssm()
    const { value, tier } = encodeRecord(record)
    const name = `${this.#path}/${recordFileName(record).replace(/\.json$/, '')}`
    await call(`PutParameter ${name}`, () =>
      ssm.send(
        new sdk.PutParameterCommand({
          Name: name,
          Value: value,
          Type: 'String',
          Tier: tier,
          Tags: [
            { Key: 'gwdeploy:managed-by', Value: 'gwdeploy' },
            { Key: 'gwdeploy:target', Value: this.#settings.key },
          ],
        }),
      ),
    )
    this.#read.set(name, value)
  }

  prune(keep: number, options: CallOptions = {}): Promise<number> {
    return stoppedBy(options.signal, () => this.#prune(keep))
  }

  /** Deletes what `records.keep` lets go (record-prune.ts); returns how many went. */
  async #prune(keep: number): Promise<number> {
    const { ssm, sdk } = await this.#ssm()
    const names = await this.#names()
    if (names.length <= keep) return 0
    const values = await this.#values(names)
    const doomed = recordsToPrune(
      names.map((name) => {
        try {
          return decodeRecord(values.get(name) ?? '')
        } catch {
          return undefined
        }
      }),
      keep,
    )
    const old = names.filter((_, i) => doomed[i])
    for (let i = 0; i < old.length; i += 10) {
      const batch = old.slice(i, i + 10)
      await call(`DeleteParameters ${this.#path}`, () =>
        ssm.send(new sdk.DeleteParametersCommand({ Names: batch })),
      )
      for (const name of batch) this.#read.delete(name)
    }
    return old.length
  }

  /**
   * The values of the parameters `names`, by name: those not read before in this process are
   * fetched, ten per call as GetParameters takes them.
   */
  async #values(names: readonly string[]): Promise<Map<string, string>> {
    const { ssm, sdk } = await this.#ssm()
    const unread = names.filter((name) => !this.#read.has(name))
    for (let i = 0; i < unread.length; i += 10) {
      const batch = unread.slice(i, i + 10)
      const got = await call(`GetParameters ${this.#path}`, () =>
        ssm.send(new sdk.GetParametersCommand({ Names: batch })),
      )
      for (const p of got.Parameters ?? []) if (p.Name && p.Value) this.#read.set(p.Name, p.Value)
    }
    const values = new Map<string, string>()
    for (const name of names) {
      const value = this.#read.get(name)
      if (value !== undefined) values.set(name, value)
    }
    return values
  }

  /** Parameter names, newest first. */
  async #names(): Promise<string[]> {
    const { ssm, sdk } = await this.#ssm()
    const names: string[] = []
    let token: string | undefined
    do {
      const page = await call(`DescribeParameters ${this.#path}`, () =>
        ssm.send(
          new sdk.DescribeParametersCommand({
            ParameterFilters: [{ Key: 'Path', Option: 'OneLevel', Values: [this.#path] }],
            MaxResults: 50,
            ...(token ? { NextToken: token } : {}),
          }),
        ),
      )
      for (const p of page.Parameters ?? []) if (p.Name) names.push(p.Name)
      token = page.NextToken
    } while (token)
    return names.sort().reverse()
  }

  list(limit: number, options: RecordListOptions = {}): Promise<ReleaseRecord[]> {
    return stoppedBy(options.signal, () => this.#list(limit, options))
  }

  async #list(limit: number, options: RecordListOptions): Promise<ReleaseRecord[]> {
    const newest = (await this.#names()).slice(0, limit)
    const values = await this.#values(newest)
    const records: ReleaseRecord[] = []
    for (const name of newest) {
      const value = values.get(name)
      if (!value) continue
      try {
        records.push(decodeRecord(value))
      } catch (error) {
        // not a record of ours (written by hand): the others still list, and the reader is told
        options.unreadable?.(`SSM parameter ${name}`, (error as Error).message)
      }
    }
    return records
  }

  close(): void {
    void this.#client?.then(({ ssm }) => ssm.destroy()).catch(() => {})
  }
}
