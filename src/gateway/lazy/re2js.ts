// Go regular expressions (bot detector, regex allowed_hosts).
export * from 're2js'
