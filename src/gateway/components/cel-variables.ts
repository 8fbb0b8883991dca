/** krakend-cel's declarations (internal/cel.go defaultDeclarations), as cel-js type names. */
export const KRAKEND_CEL_VARIABLES: ReadonlyArray<readonly [name: string, type: string]> = [
  ['now', 'string'],
  ['req_method', 'string'],
  ['req_path', 'string'],
  ['req_params', 'map<string, string>'],
  ['req_headers', 'map<string, list<string>>'],
  ['req_querystring', 'map<string, list<string>>'],
  ['resp_completed', 'bool'],
  ['resp_metadata_status', 'int'],
  ['resp_metadata_headers', 'map<string, list<string>>'],
  ['resp_data', 'map<string, dyn>'],
  ['JWT', 'map<string, dyn>'],
]
