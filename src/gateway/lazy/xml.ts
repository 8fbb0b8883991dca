// rss backends.
export * from 'fast-xml-parser'
