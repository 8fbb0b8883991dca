export * from './gate.ts'
export * from './smoke.ts'
