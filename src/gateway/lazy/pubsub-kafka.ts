// backend/pubsub/* on kafka://: @platformatic/kafka and gocloud's kafkapubsub as this runtime does
// it, loaded only by configs with such a backend.
export { closeKafkaClients, kafkaDriver } from '../backend-pubsub/kafka.ts'
