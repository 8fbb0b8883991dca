// TEMPORARY (kafka helper, session 44): loads lazy/pubsub-kafka as libraries.ts's loadLazy does, until
// libraries.ts has `pubsubKafkaLibrary` (requested: /tmp/prompts45/requests-kafka.md); then this file
// goes and answer.ts imports it from there.
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { onFirstUse } from '../libraries.ts'

type KafkaLibrary = typeof import('../lazy/pubsub-kafka.ts')

const nodeRequire: NodeJS.Require | undefined =
  typeof require === 'function' ? undefined : createRequire(import.meta.url)

export const pubsubKafkaLibrary = onFirstUse((): KafkaLibrary => {
  if (nodeRequire)
    return nodeRequire(
      `../lazy/pubsub-kafka${import.meta.url.endsWith('.ts') ? '.ts' : '.js'}`,
    ) as KafkaLibrary
  // A computed path: esbuild leaves this require to Node instead of bundling the module.
  const file = join(__dirname, 'lazy', 'pubsub-kafka.cjs')
  return require(file) as KafkaLibrary
})
