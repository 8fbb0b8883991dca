// backend/pubsub/* on awssns:// and awssqs://: the SNS and SQS clients of the AWS SDK, loaded only
// by configs with such a backend (NATS and RabbitMQ ones load lazy/pubsub.cjs alone).
export { awsDriver } from '../backend-pubsub/aws.ts'
