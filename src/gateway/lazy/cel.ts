// validation/cel.
export * from '@marcbachmann/cel-js'
