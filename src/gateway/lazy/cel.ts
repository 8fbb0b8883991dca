// validation/cel.
export * from '@marcbachmann/cel-js'
export { Duration } from '@marcbachmann/cel-js/evaluator'
