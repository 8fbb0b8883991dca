/** What a provider can do, which the engine reads to choose how to release, check and roll back. */
export interface ProviderCapabilities {
  /** Weights between 0 and 100 (true) or only 0/100 (false). */
  weights: boolean
  /** probeTargets() returns reachable URLs (false: the gate relies on nodeHealth + preview). */
  directProbe: boolean
  /** preview() gives a URL that reaches one colour without touching live traffic. */
  preview: boolean
  /** Nodes run an image (the engine builds/pushes one) rather than the local bundle. */
  image: boolean
  /** traffic() is implemented (error ratio during bake). */
  traffic: boolean
  /**
   * Nodes carry auth/revoker revocations themselves (aws, whose nodes gwdeploy cannot reach): new
   * ones take the running nodes' before they serve, and both pull from each other while they run.
   * The engine has nothing to carry.
   */
  nodesPullRevocations?: boolean
  /**
   * Nodes run outside gwdeploy (haproxy `servers`): provision only points the router at them, so
   * gwdeploy can neither start nor replace one that died; a redeploy would gate the same addresses.
   */
  externalNodes?: boolean
  /**
   * The router is the operator's (an HAProxy, an ALB), not gwdeploy's: `destroy` leaves it running
   * and only empties gwdeploy's routing inside it. This says what it does there, for its output and
   * record, instead of listing the router as destroyed.
   */
  routingEmptiedOnDestroy?: string
}
