// backend/amqp/consumer and backend/amqp/producer: the broker sessions and amqplib, loaded only by
// configs with an AMQP backend.
export { AmqpConsumer } from '../backend-amqp/consumer.ts'
export { AmqpProducer } from '../backend-amqp/producer.ts'
