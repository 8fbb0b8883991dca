// validation/json-schema: ajv for every draft (formats are KrakenD's own, in json-schema-formats.ts).
export { Ajv } from 'ajv'
export { Ajv2019 } from 'ajv/dist/2019.js'
export { Ajv2020 } from 'ajv/dist/2020.js'
