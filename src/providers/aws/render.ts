/** `release --dry-run` for aws: the user-data and every request input a provision sends (pure). */
import { COLOURS, type Colour, type FleetSpec, type RenderedDocument, type Weights } from '../types.ts'
import {
  attachRuleInput,
  createTargetGroupInput,
  fleetTags,
  listenerActions,
  planLaunches,
  runInstancesInput,
  targetGroupAttributesInput,
} from './requests.ts'
import type { AwsSettings } from './settings.ts'
import { renderUserData, userDataValues } from './user-data.ts'

export function renderDocuments(settings: AwsSettings, spec: FleetSpec): RenderedDocument[] {
  const { aws } = settings
  const peers = spec.artifact.revokerPort ? '<IP:PORT of each instance running at launch>' : ''
  const userData = renderUserData(settings.userDataTemplate, userDataValues(settings, spec, peers))
  const tags = fleetTags(settings, spec, '<now>')
  const vpcId = aws.vpcId ?? '<the load balancer VPC>'
  const listenerArn = aws.listenerArn ?? `<listener on port ${aws.listenerPort} of ${aws.loadBalancerName}>`
  const tgArn = `<target group ${settings.targetGroupName(spec.colour)}>`
  const launches = planLaunches(aws.subnets, new Map(), spec.size, [])
  const runInstances = launches.map((launch) => ({
    ...runInstancesInput(settings, spec, launch, userData),
    UserData: `<base64 of the user-data above, ${Buffer.byteLength(userData)} bytes>`,
  }))
  const weights = { blue: 0, green: 0, [spec.colour]: 100 } as Weights
  const other = COLOURS.find((c) => c !== spec.colour) as Colour
  const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`
  return [
    { title: `EC2 user-data (${spec.colour})`, language: 'yaml', content: userData },
    {
      title: 'ELBv2 CreateTargetGroup (+ ModifyTargetGroupAttributes)',
      language: 'json',
      content: json({
        ...createTargetGroupInput(settings, spec, vpcId, tags),
        Attributes: targetGroupAttributesInput(settings, tgArn).Attributes,
      }),
    },
    {
      title: 'ELBv2 CreateRule (attaches the group so the ALB health-checks it)',
      language: 'json',
      content: json(attachRuleInput(settings, listenerArn, spec.colour, tgArn)),
    },
    { title: 'EC2 RunInstances', language: 'json', content: json(runInstances) },
    {
      title: 'ELBv2 ModifyListener (final step of the shift)',
      language: 'json',
      content: json({
        ListenerArn: listenerArn,
        DefaultActions: listenerActions(weights, {
          [spec.colour]: tgArn,
          [other]: `<target group ${settings.targetGroupName(other)}>`,
        }),
      }),
    },
  ]
}
