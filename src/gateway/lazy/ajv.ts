// validation/json-schema: ajv for every draft, with its formats.
import ajvFormats from 'ajv-formats'

export { Ajv } from 'ajv'
export { Ajv2019 } from 'ajv/dist/2019.js'
export { Ajv2020 } from 'ajv/dist/2020.js'

type AddFormats = (ajv: unknown) => void
const formats = ajvFormats as unknown as AddFormats & { default?: AddFormats }
export const addFormats: AddFormats = formats.default ?? formats
