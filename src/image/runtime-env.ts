/**
 * A flexible-config template rendered at release leaves each secret `{{ env "X" }}` as
 * {{env `X`}} in the stamped config; nodes render it at start (FC_ENABLE) from their own
 * environment, so the image and the records never hold the value.
 */
export const runtimeEnvCall = (name: string) => `{{env \`${name}\`}}`
export const RUNTIME_ENV_CALL = /\{\{env `[A-Za-z_][A-Za-z0-9_]*`\}\}/g

/** The stamped config still reads secrets from the node's environment (the node needs FC_ENABLE). */
export const readsRuntimeEnv = (configText: string) => configText.includes('{{env `')
