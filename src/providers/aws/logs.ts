/** `gwdeploy logs` on AWS: a CI runner cannot reach the instances, so say how to get the logs instead. */
import { usageError } from '../../core/errors.ts'
import type { FleetNode } from '../types.ts'

export function logsNotReachable(node: FleetNode, region: string | undefined) {
  const where = region ? ` --region ${region}` : ''
  return usageError(
    `aws: the logs of ${node.id} are not available from here: instances run in private subnets without SSH, so gwdeploy cannot read them from a CI runner`,
    {
      hint: [
        'Read them on the instance (the gateway runs as the container `gwdeploy-gateway`):',
        `  aws ssm start-session --target ${node.id}${where}   then: sudo docker logs --tail 100 -f gwdeploy-gateway`,
        `  aws ec2 get-console-output --instance-id ${node.id}${where} --latest   (boot and user-data output)`,
        'or ship them with the CloudWatch agent / a Docker log driver (awslogs) in your user-data template.',
      ].join('\n'),
    },
  )
}
