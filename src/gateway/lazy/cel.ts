// validation/cel.
export * from '@marcbachmann/cel-js'
export { Duration, UnsignedInt } from '@marcbachmann/cel-js/evaluator'
