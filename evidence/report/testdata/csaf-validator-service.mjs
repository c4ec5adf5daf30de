// A local stand-in for the BSI csaf-validator-service API (POST
// /api/v1/validate), the protocol gocsaf's remote validator speaks, over
// the BSI csaf-validator-lib (npm @secvisogram/csaf-validator-lib), which
// implements the CSAF 2.0 tests. The tests start it on 127.0.0.1 with the
// library's folder as the first argument and read the port from stdout.
import http from 'node:http'
import path from 'node:path'
import { pathToFileURL } from 'node:url'

const lib = process.argv[2]
const load = (m) => import(pathToFileURL(path.join(lib, m)).href)
const validate = (await load('validate.js')).default
const schema = await load('schemaTests.js')
const mandatory = await load('mandatoryTests.js')
const presets = {
  // Mandatory test 6.1.8 is the schema test, which mandatoryTests.js leaves out.
  mandatory: [schema.csaf_2_0, ...Object.values(mandatory)],
  schema: Object.values(schema),
}

const server = http.createServer((req, res) => {
  if (req.method !== 'POST' || req.url !== '/api/v1/validate') {
    res.writeHead(404).end()
    return
  }
  let body = ''
  req.on('data', (c) => (body += c))
  req.on('end', async () => {
    try {
      const { tests, document } = JSON.parse(body)
      const run = []
      for (const t of tests) {
        if (t.type === 'preset') run.push(...(presets[t.name] ?? []))
        else run.push(...[...presets.mandatory, ...presets.schema].filter((f) => f.name === t.name))
      }
      const result = await validate(run, document)
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(result))
    } catch (e) {
      res.writeHead(400).end(String(e))
    }
  })
})
server.listen(0, '127.0.0.1', () => console.log(server.address().port))
