import { BaseCommand } from '../../cli/base-command.ts'
import { gwConfigJsonSchema, type JsonSchema } from '../../config/json-schema.ts'

export default class ConfigSchema extends BaseCommand<typeof ConfigSchema, JsonSchema> {
  static override summary =
    'Print the JSON Schema of gwdeploy.yml (also committed as schema/gwdeploy.schema.json)'

  protected async execute() {
    return gwConfigJsonSchema()
  }

  protected override render(result: JsonSchema): string {
    return JSON.stringify(result, null, 2)
  }
}
