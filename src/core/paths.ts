import { fileURLToPath } from 'node:url'

export const TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url))
