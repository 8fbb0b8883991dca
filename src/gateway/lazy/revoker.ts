// auth/revoker: the sliding bloom filter, the Go net/rpc (gob) server and the cluster glue, loaded
// only by configs with a revoker.
export { SlidingBloomFilter } from '../revoker/bloom-filter.ts'
export { createFollowers, followPrimary } from '../revoker/cluster.ts'
export { createPeering } from '../revoker/peers.ts'
export { revocationStore, startRevocationService } from '../revoker/revocation-service.ts'
