// backend/pubsub/publisher and backend/pubsub/subscriber: the NATS and RabbitMQ drivers (nats,
// amqplib), loaded only by configs with a pub/sub backend.
export {
  closePubsubConnections,
  openPubsub,
  type PubsubDriver,
  type ReceivedMessage,
} from '../backend-pubsub/call.ts'
