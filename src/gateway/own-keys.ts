// Go's maps (decoded JSON, http.Header, url.Values) hold any key; a JavaScript object takes the
// key `__proto__` as its prototype instead, unless the property is defined.

/** obj[key] = value, with `__proto__` an own, enumerable property as every other key. */
export function setOwnKey<T>(obj: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__')
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true })
  else obj[key] = value
}
