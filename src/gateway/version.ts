/** Runtime version reported in gateway_info and User-Agent (a constant: the bundle reads no package.json). */
export const GATEWAY_VERSION = '0.1.0'
