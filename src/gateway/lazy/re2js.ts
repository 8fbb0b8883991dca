// Go regular expressions (bot detector, regex allowed_hosts, JSON-schema patterns, CEL matches),
// with Go's Unicode tables where re2js's differ.
export * from 're2js'
export { GO_CATEGORY_ALIASES, GO_DIFFERING_TABLES, GO_TABLE_NAMES } from '../components/go-unicode-tables.ts'
