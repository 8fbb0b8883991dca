/** What the I/O modules of the aws provider share: settings, lazily created clients, the listeners. */
import type { AwsClients } from './clients.ts'
import type { ListenerInfo } from './listeners.ts'
import type { AwsSettings } from './settings.ts'

export interface AwsContext {
  readonly settings: AwsSettings
  clients(): Promise<AwsClients>
  liveListener(): Promise<ListenerInfo>
  testListener(): Promise<ListenerInfo | undefined>
}
