// YAML gateway configs and the yaml output encoding.
export * from 'yaml'
