/** What the I/O modules of the aws provider share: settings, lazily created clients, the listeners and their original actions. */
import type { AwsClients } from './clients.ts'
import type { ListenerInfo } from './listeners.ts'
import type { OriginalActions } from './original-action.ts'
import type { AwsSettings } from './settings.ts'

export interface AwsContext {
  readonly settings: AwsSettings
  clients(): Promise<AwsClients>
  liveListener(): Promise<ListenerInfo>
  testListener(): Promise<ListenerInfo | undefined>
  /** The listeners' original default actions, recorded before gwdeploy first changes one. */
  readonly originals: OriginalActions
}
