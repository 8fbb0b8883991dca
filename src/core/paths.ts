import { fileURLToPath } from 'node:url'

/** The package root (works from src/ under Node's type stripping and from dist/ alike). */
export const PACKAGE_ROOT = fileURLToPath(new URL('../../', import.meta.url))

export const TEMPLATES_DIR = fileURLToPath(new URL('../../templates/', import.meta.url))
