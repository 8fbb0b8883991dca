// backend/lambda: the AWS SDK's Lambda client and the invoker built on it.
export { compileLambdaCall, type LambdaCall } from '../backend-lambda/invoke.ts'
