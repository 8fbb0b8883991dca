// backend/pubsub/* on rabbit://: amqplib and gocloud's rabbitpubsub as this runtime does it,
// loaded only by configs with such a backend.
export { closeRabbitConnection, rabbitDriver } from '../backend-pubsub/rabbit.ts'
