// backend/pubsub/* on nats://: the NATS client and gocloud's natspubsub as this runtime does it,
// loaded only by configs with such a backend.
export { closeNatsConnections, natsDriver } from '../backend-pubsub/nats.ts'
