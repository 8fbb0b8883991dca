// backend/amqp/consumer and backend/amqp/producer: the broker sessions and amqplib, loaded only by
// configs with an AMQP backend.

export { startAsyncAgents } from '../async-agent/agents.ts'
export { AmqpConsumer } from '../backend-amqp/consumer.ts'
export { AmqpProducer } from '../backend-amqp/producer.ts'
