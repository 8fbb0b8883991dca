// `gwdeploy ... | head -c1`: the reader of stdout went away. What is left to print is dropped and the
// run ends with its own exit code (unhandled, EPIPE ended it with a stack trace, or with 13 while
// oclif waited for a 'drain' that never comes). A running --watch or -f stops (see BaseCommand).
process.stdout.on('error', (error) => {
  if (error.code !== 'EPIPE') throw error
  process.stdout.write = (_chunk, encoding, callback) => {
    const done = typeof encoding === 'function' ? encoding : callback
    if (done) process.nextTick(done)
    return true
  }
  // Whoever waits for the stream to drain (oclif's flush at the end) waits no longer.
  process.stdout.emit('drain')
})
