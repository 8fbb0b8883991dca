// YAML gateway configs.
export * from 'yaml'
