/** Image repository names: which registry host they live on and their path there. */
import { configError } from '../core/errors.ts'

export interface RepositoryName {
  /** As written, e.g. 127.0.0.1:5000/team/gateway */
  repository: string
  /** Registry host[:port] ("docker.io" for Docker Hub names). */
  registry: string
  /** Path in the registry, e.g. team/gateway (library/x for official Hub images). */
  path: string
}

const REPOSITORY = /^[a-z0-9]+([._-][a-z0-9]+)*(:\d+)?(\/[a-z0-9]+([._-]+[a-z0-9]+)*)*$/

export function parseRepository(repository: string): RepositoryName {
  if (!REPOSITORY.test(repository)) {
    throw configError(`image.repository "${repository}" is not a repository name`, {
      location: { path: 'image.repository' },
      hint: 'Use a lowercase name without tag, like registry.example.com/team/gateway or 127.0.0.1:5000/gateway.',
    })
  }
  const slash = repository.indexOf('/')
  const first = slash === -1 ? '' : repository.slice(0, slash)
  if (first && (first.includes('.') || first.includes(':') || first === 'localhost')) {
    return { repository, registry: first, path: repository.slice(slash + 1) }
  }
  return { repository, registry: 'docker.io', path: slash === -1 ? `library/${repository}` : repository }
}

/** Registries Docker talks to over plain HTTP by default (127.0.0.0/8, localhost). */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.replace(/:\d+$/, '')
  return host === 'localhost' || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '[::1]'
}
