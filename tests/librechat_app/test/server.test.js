'use strict';

/*
 * Tests of server.js with node's own test runner:
 *
 *   cd tests/librechat_app && npm ci && node --test test/server.test.js
 *
 * Each case starts `node server.js` on a free loopback port with a fresh temporary cwd holding
 * the librechat.yaml and .env of the case, and a clean environment (PATH and HOME only, plus the
 * case's variables). No network and no emulator: the chat cases talk to a small HTTP/2
 * (cleartext) Bedrock fake started here, reached through AWS_ENDPOINT_URL_BEDROCK_RUNTIME as the
 * SDK reads it.
 */

const test = require('node:test');
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const http2 = require('node:http2');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');

const SERVER = path.resolve(__dirname, '..', 'server.js');
const NOBODY = 65534;

const ARN_FILE = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/fromdotenv1';
const ARN_PROCESS = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/fromprocess1';
const SECRET = 'sEcReT-value-never-shown';

const CONFIG = `version: 1.3.17
cache: true
endpoints:
  bedrock:
    models:
      - amazon.nova-lite-v1:0
      - us.anthropic.claude-3-7-sonnet-20250219-v1:0
      - amazon.nova-pro-v1:0
    availableRegions:
      - us-east-1
      - us-west-2
    inferenceProfiles:
      amazon.nova-lite-v1:0: "\${BEDROCK_PROFILE_NOVA_LITE}"
      us.anthropic.claude-3-7-sonnet-20250219-v1:0: "\${BEDROCK_PROFILE_UNSET}"
`;

const DOTENV = `BEDROCK_AWS_DEFAULT_REGION=us-east-1
BEDROCK_AWS_ACCESS_KEY_ID=AKIDTESTING
BEDROCK_AWS_SECRET_ACCESS_KEY=${SECRET}
BEDROCK_PROFILE_NOVA_LITE=${ARN_FILE}
`;

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function makeAppDir(files) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'librechat-app-test-'));
  fs.chmodSync(dir, 0o755); // another uid must be able to enter it
  for (const [name, text] of Object.entries(files)) {
    fs.writeFileSync(path.join(dir, name), text, { mode: 0o644 });
  }
  return dir;
}

/** Starts server.js; resolves once it listens, or once it exits (whatever comes first). */
async function startServer({ files = {}, modes = {}, env = {}, uid, gid } = {}) {
  const cwd = makeAppDir(files);
  for (const [name, mode] of Object.entries(modes)) {
    fs.chmodSync(path.join(cwd, name), mode);
  }
  const port = await freePort();
  const child = spawn(process.execPath, [SERVER], {
    cwd,
    env: { PATH: process.env.PATH, HOME: cwd, PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(uid !== undefined && { uid, gid }),
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const ready = await new Promise((resolve) => {
    const timer = setInterval(() => {
      if (output.includes('Server listening')) {
        clearInterval(timer);
        resolve(true);
      }
    }, 25);
    exited.then(() => {
      clearInterval(timer);
      resolve(false);
    });
    setTimeout(() => {
      clearInterval(timer);
      resolve(false);
    }, 20000).unref();
  });
  return {
    cwd,
    port,
    ready,
    exited,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        process.kill(child.pid, 'SIGTERM');
      }
      await exited;
      fs.rmSync(cwd, { recursive: true, force: true });
    },
  };
}

function request(port, method, urlPath, body) {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: urlPath,
        headers: data ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } : {},
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => {
          let json = null;
          try {
            json = JSON.parse(text);
          } catch {
            json = null;
          }
          resolve({ status: res.statusCode, headers: res.headers, text, json });
        });
      },
    );
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}

/** CRC-32 (IEEE), as the event-stream framing uses it (Node's own crc32 needs Node >= 20.15). */
const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buffer) {
  let c = 0xffffffff;
  for (const byte of buffer) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One `application/vnd.amazon.eventstream` frame: prelude, string headers, JSON payload, CRC32s. */
function eventFrame(eventType, payload) {
  const headerParts = [];
  for (const [name, value] of [
    [':event-type', eventType],
    [':content-type', 'application/json'],
    [':message-type', 'event'],
  ]) {
    const nameBytes = Buffer.from(name, 'utf8');
    const valueBytes = Buffer.from(value, 'utf8');
    const valueLength = Buffer.alloc(2);
    valueLength.writeUInt16BE(valueBytes.length);
    headerParts.push(Buffer.from([nameBytes.length]), nameBytes, Buffer.from([7]), valueLength, valueBytes);
  }
  const headers = Buffer.concat(headerParts);
  const body = Buffer.from(JSON.stringify(payload), 'utf8');
  const total = 12 + headers.length + body.length + 4;
  const prelude = Buffer.alloc(8);
  prelude.writeUInt32BE(total, 0);
  prelude.writeUInt32BE(headers.length, 4);
  const preludeCrc = Buffer.alloc(4);
  preludeCrc.writeUInt32BE(crc32(prelude));
  const message = Buffer.concat([prelude, preludeCrc, headers, body]);
  const messageCrc = Buffer.alloc(4);
  messageCrc.writeUInt32BE(crc32(message));
  return Buffer.concat([message, messageCrc]);
}

/**
 * A Bedrock runtime fake that speaks HTTP/2 only (an http2 cleartext server: an HTTP/1.1 client
 * cannot reach it): answers Converse and ConverseStream and records each request.
 */
async function startBedrockFake() {
  const calls = [];
  const words = ['Hello ', 'from ', 'the ', 'fake.'];
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    let body = '';
    stream.setEncoding('utf8');
    stream.on('data', (d) => (body += d));
    stream.on('end', () => {
      const scope = /Credential=[^/]+\/\d{8}\/([^/]+)\/([^/]+)\/aws4_request/.exec(headers.authorization || '');
      calls.push({
        method: headers[':method'],
        path: headers[':path'],
        region: scope ? scope[1] : null,
        service: scope ? scope[2] : null,
        auth: (headers.authorization || '').split(' ')[0],
        bearer: /^Bearer /.test(headers.authorization || '') ? headers.authorization.slice(7) : null,
        body,
      });
      const requestId = crypto.randomUUID();
      if (headers[':path'].endsWith('/converse-stream')) {
        stream.respond({ ':status': 200, 'content-type': 'application/vnd.amazon.eventstream', 'x-amzn-requestid': requestId });
        stream.write(eventFrame('messageStart', { role: 'assistant' }));
        for (const word of words) {
          stream.write(eventFrame('contentBlockDelta', { contentBlockIndex: 0, delta: { text: word } }));
        }
        stream.write(eventFrame('contentBlockStop', { contentBlockIndex: 0 }));
        stream.write(eventFrame('messageStop', { stopReason: 'end_turn' }));
        stream.end(
          eventFrame('metadata', {
            usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7 },
            metrics: { latencyMs: 1 },
          }),
        );
        return;
      }
      const answer = JSON.stringify({
        output: { message: { role: 'assistant', content: [{ text: words.join('') }] } },
        stopReason: 'end_turn',
        usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7 },
        metrics: { latencyMs: 1 },
      });
      stream.respond({ ':status': 200, 'content-type': 'application/json', 'x-amzn-requestid': requestId });
      stream.end(answer);
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    calls,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

test('GET /health answers 200 OK, even without librechat.yaml (LibreChat logs the missing file)', async () => {
  const app = await startServer();
  try {
    assert.ok(app.ready, app.output());
    const res = await request(app.port, 'GET', '/health');
    assert.equal(res.status, 200);
    assert.equal(res.text, 'OK');
    assert.match(app.output(), /error: Config file YAML format is invalid: ENOENT: no such file or directory/);
    const state = (await request(app.port, 'GET', '/api/_state')).json;
    assert.equal(state.config.loaded, false);
    assert.equal(state.config.status, 'missing');
    assert.equal(state.bedrock.present, false);
    assert.equal(state.envFile.exists, false);
    assert.equal(state.envFile.loaded, false);
  } finally {
    await app.stop();
  }
});

test('a valid config is loaded and ${VAR} resolves from .env; an unset variable stays literal', async () => {
  const app = await startServer({ files: { 'librechat.yaml': CONFIG, '.env': DOTENV } });
  try {
    assert.ok(app.ready, app.output());
    assert.match(app.output(), /info: Custom config file loaded:\n.*info: \{\n {2}"version": "1\.3\.17"/);
    const res = await request(app.port, 'GET', '/api/_state');
    assert.equal(res.status, 200);
    const state = res.json;
    assert.equal(state.config.loaded, true);
    assert.equal(state.config.status, 'loaded');
    assert.equal(state.config.path, path.join(app.cwd, 'librechat.yaml'));
    assert.equal(state.config.sha256, crypto.createHash('sha256').update(CONFIG).digest('hex'));
    assert.equal(state.envFile.readable, true);
    assert.equal(state.envFile.loaded, true);
    assert.deepEqual(state.bedrock.models, [
      'amazon.nova-lite-v1:0',
      'us.anthropic.claude-3-7-sonnet-20250219-v1:0',
      'amazon.nova-pro-v1:0',
    ]);
    assert.deepEqual(state.bedrock.profiles, {
      'amazon.nova-lite-v1:0': ARN_FILE,
      'us.anthropic.claude-3-7-sonnet-20250219-v1:0': '${BEDROCK_PROFILE_UNSET}',
      'amazon.nova-pro-v1:0': null,
    });
    assert.equal(state.BEDROCK_AWS_DEFAULT_REGION, 'us-east-1');
    assert.equal(state.credentials.method, 'static_keys');
    assert.deepEqual(state.credentials.present, ['BEDROCK_AWS_ACCESS_KEY_ID', 'BEDROCK_AWS_SECRET_ACCESS_KEY']);
    assert.equal(state.ENDPOINTS.bedrockEnabled, true);
    assert.equal(state.versions['librechat-data-provider'], '0.8.524');
    assert.ok(!res.text.includes(SECRET), 'the state must not show a secret value');
    assert.ok(!res.text.includes('AKIDTESTING'), 'the state must not show a key ID');
  } finally {
    await app.stop();
  }
});

test('a variable already in the process environment wins over .env (dotenv never overrides)', async () => {
  const app = await startServer({
    files: { 'librechat.yaml': CONFIG, '.env': DOTENV },
    env: { BEDROCK_PROFILE_NOVA_LITE: ARN_PROCESS },
  });
  try {
    assert.ok(app.ready, app.output());
    const state = (await request(app.port, 'GET', '/api/_state')).json;
    assert.equal(state.bedrock.profiles['amazon.nova-lite-v1:0'], ARN_PROCESS);
    assert.deepEqual(state.envFile.keptFromProcessEnv, ['BEDROCK_PROFILE_NOVA_LITE']);
    assert.ok(state.envFile.applied.includes('BEDROCK_AWS_DEFAULT_REGION'));
  } finally {
    await app.stop();
  }
});

test('an unreadable .env is skipped silently: the app starts without its variables', async (t) => {
  if (typeof process.getuid !== 'function') {
    t.skip('no POSIX uids on this platform');
    return;
  }
  // root reads a mode-000 file anyway, so as root the server runs as nobody (65534)
  const asOther = isRoot ? { uid: NOBODY, gid: NOBODY } : {};
  if (isRoot) {
    const probe = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(require.resolve('dotenv', { paths: [path.dirname(SERVER)] }))})`], {
      ...asOther,
      cwd: os.tmpdir(),
    });
    if (probe.status !== 0) {
      t.skip(`running as root, and uid ${NOBODY} cannot read the app at ${path.dirname(SERVER)}: cannot make .env unreadable`);
      return;
    }
  }
  const app = await startServer({
    files: { 'librechat.yaml': CONFIG, '.env': DOTENV },
    modes: { '.env': 0o000 },
    ...asOther,
  });
  try {
    assert.ok(app.ready, app.output());
    assert.equal((await request(app.port, 'GET', '/health')).status, 200);
    const state = (await request(app.port, 'GET', '/api/_state')).json;
    assert.equal(state.uid, isRoot ? NOBODY : process.getuid());
    assert.equal(state.envFile.exists, true);
    assert.equal(state.envFile.readable, false);
    assert.equal(state.envFile.loaded, false);
    assert.equal(state.envFile.error, 'EACCES');
    assert.equal(state.config.loaded, true);
    assert.equal(state.BEDROCK_AWS_DEFAULT_REGION, null);
    assert.equal(state.credentials.method, 'default_chain');
    assert.equal(state.bedrock.profiles['amazon.nova-lite-v1:0'], '${BEDROCK_PROFILE_NOVA_LITE}');
    const quiet = app.output().split('\n').filter((line) => /\.env|EACCES|dotenv/i.test(line));
    assert.deepEqual(quiet, [], 'dotenv must stay silent about the unreadable file');
  } finally {
    await app.stop();
  }
});

for (const [name, text] of [
  ['an unquoted number as version', CONFIG.replace('version: 1.3.17', 'version: 1.3')],
  ['an unknown top-level key', `${CONFIG}bedrock_models: []\n`],
  ['an unknown endpoint name', CONFIG.replace('  bedrock:\n', '  amazonBedrock:\n')],
]) {
  test(`a schema error (${name}) makes the process exit with code 1, as LibreChat does`, async () => {
    const app = await startServer({ files: { 'librechat.yaml': text, '.env': DOTENV } });
    try {
      assert.equal(app.ready, false, app.output());
      const { code } = await app.exited;
      assert.equal(code, 1, app.output());
      const out = app.output();
      assert.ok(out.includes(`error: Invalid custom config file at ${path.join(app.cwd, 'librechat.yaml')}:\n{\n  "issues": [`), out);
      assert.ok(
        out.includes(
          'error: Exiting due to invalid configuration. Set CONFIG_BYPASS_VALIDATION=true to bypass this check.',
        ),
        out,
      );
      assert.ok(!out.includes('Server listening'), out);
    } finally {
      await app.stop();
    }
  });
}

test('CONFIG_BYPASS_VALIDATION=true runs without the invalid config', async () => {
  const app = await startServer({
    files: { 'librechat.yaml': CONFIG.replace('version: 1.3.17', 'version: 1.3'), '.env': DOTENV },
    env: { CONFIG_BYPASS_VALIDATION: 'true' },
  });
  try {
    assert.ok(app.ready, app.output());
    assert.match(app.output(), /warn: CONFIG_BYPASS_VALIDATION is enabled\./);
    const state = (await request(app.port, 'GET', '/api/_state')).json;
    assert.equal(state.config.loaded, false);
    assert.equal(state.config.status, 'invalid_bypassed');
    assert.equal(state.bedrock.present, false);
  } finally {
    await app.stop();
  }
});

for (const [name, text] of [
  ['a syntax error', CONFIG.replace('    models:\n', '    models:\n   - broken\n')],
  ['a duplicate key', `${CONFIG}cache: false\n`],
]) {
  test(`a YAML parse error (${name}) is logged and LibreChat runs without the config`, async () => {
    const app = await startServer({ files: { 'librechat.yaml': text, '.env': DOTENV } });
    try {
      assert.ok(app.ready, app.output());
      assert.match(app.output(), /error: Config file YAML format is invalid: /);
      assert.equal((await request(app.port, 'GET', '/health')).status, 200);
      const state = (await request(app.port, 'GET', '/api/_state')).json;
      assert.equal(state.config.loaded, false);
      assert.equal(state.config.status, 'yaml_error');
      assert.equal(state.bedrock.present, false);
      assert.equal(state.envFile.loaded, true);
    } finally {
      await app.stop();
    }
  });
}

test('an empty librechat.yaml logs "Custom config file missing or YAML format invalid."', async () => {
  const app = await startServer({ files: { 'librechat.yaml': '# nothing\n' } });
  try {
    assert.ok(app.ready, app.output());
    assert.match(app.output(), /info: Custom config file missing or YAML format invalid\./);
  } finally {
    await app.stop();
  }
});

test('CONFIG_PATH names the file', async () => {
  const app = await startServer({
    files: { 'custom.yaml': CONFIG, '.env': DOTENV },
    env: { CONFIG_PATH: 'custom.yaml' },
  });
  try {
    assert.ok(app.ready, app.output());
    const state = (await request(app.port, 'GET', '/api/_state')).json;
    assert.equal(state.config.path, 'custom.yaml');
    assert.equal(state.config.loaded, true);
  } finally {
    await app.stop();
  }
});

test('chat: the mapped ARN goes on the wire over HTTP/2 (Converse and ConverseStream), the unmapped model ID as picked', async () => {
  const fake = await startBedrockFake();
  const app = await startServer({
    files: { 'librechat.yaml': CONFIG, '.env': DOTENV },
    env: { AWS_ENDPOINT_URL_BEDROCK_RUNTIME: fake.url },
  });
  try {
    assert.ok(app.ready, app.output());
    const mapped = await request(app.port, 'POST', '/api/_chat', { model: 'amazon.nova-lite-v1:0', text: 'hi' });
    assert.equal(mapped.status, 200, mapped.text);
    assert.equal(mapped.json.text, 'Hello from the fake.');
    assert.equal(mapped.json.model, 'amazon.nova-lite-v1:0');
    assert.equal(mapped.json.applicationInferenceProfile, ARN_FILE);
    assert.equal(mapped.json.region, 'us-east-1');

    const unmapped = await request(app.port, 'POST', '/api/_chat', { model: 'amazon.nova-pro-v1:0', text: 'hi' });
    assert.equal(unmapped.status, 200, unmapped.text);
    assert.equal(unmapped.json.applicationInferenceProfile, null);

    const otherRegion = await request(app.port, 'POST', '/api/_chat', {
      model: 'amazon.nova-lite-v1:0',
      text: 'hi',
      region: 'us-west-2',
    });
    assert.equal(otherRegion.status, 200, otherRegion.text);
    assert.equal(otherRegion.json.region, 'us-west-2');
    assert.equal(otherRegion.json.applicationInferenceProfile, ARN_FILE);

    const streamed = await request(app.port, 'POST', '/api/_chat', {
      model: 'amazon.nova-lite-v1:0',
      text: 'hi',
      stream: true,
    });
    assert.equal(streamed.status, 200, streamed.text);
    assert.equal(streamed.json.text, 'Hello from the fake.');
    assert.equal(streamed.json.applicationInferenceProfile, ARN_FILE);
    assert.ok(streamed.json.chunks >= 4, streamed.text);

    assert.deepEqual(
      fake.calls.map((c) => [c.method, c.path, c.region, c.service]),
      [
        ['POST', `/model/${encodeURIComponent(ARN_FILE)}/converse`, 'us-east-1', 'bedrock'],
        ['POST', `/model/${encodeURIComponent('amazon.nova-pro-v1:0')}/converse`, 'us-east-1', 'bedrock'],
        ['POST', `/model/${encodeURIComponent(ARN_FILE)}/converse`, 'us-west-2', 'bedrock'],
        ['POST', `/model/${encodeURIComponent(ARN_FILE)}/converse-stream`, 'us-east-1', 'bedrock'],
      ],
    );
    assert.equal(JSON.parse(fake.calls[0].body).messages[0].content[0].text, 'hi');
  } finally {
    await app.stop();
    await fake.close();
  }
});

test('chat refusals and errors: bad body, region not offered, ENDPOINTS without bedrock, half a key pair', async () => {
  const app = await startServer({
    files: { 'librechat.yaml': CONFIG, '.env': DOTENV },
    env: { AWS_ENDPOINT_URL_BEDROCK_RUNTIME: 'http://127.0.0.1:9' },
  });
  try {
    assert.ok(app.ready, app.output());
    assert.equal((await request(app.port, 'POST', '/api/_chat', 'not json')).status, 400);
    assert.equal((await request(app.port, 'POST', '/api/_chat', { text: 'hi' })).status, 400);
    const region = await request(app.port, 'POST', '/api/_chat', {
      model: 'amazon.nova-lite-v1:0',
      text: 'hi',
      region: 'eu-west-1',
    });
    assert.equal(region.status, 400);
    assert.equal(region.json.error, 'RegionNotAllowed');
  } finally {
    await app.stop();
  }

  const disabled = await startServer({
    files: { 'librechat.yaml': CONFIG, '.env': DOTENV },
    env: { ENDPOINTS: 'openAI,agents' },
  });
  try {
    assert.ok(disabled.ready, disabled.output());
    const state = (await request(disabled.port, 'GET', '/api/_state')).json;
    assert.equal(state.ENDPOINTS.bedrockEnabled, false);
    const res = await request(disabled.port, 'POST', '/api/_chat', { model: 'amazon.nova-lite-v1:0', text: 'hi' });
    assert.equal(res.status, 400);
    assert.equal(res.json.error, 'EndpointDisabled');
  } finally {
    await disabled.stop();
  }

  const halfPair = await startServer({
    files: { 'librechat.yaml': CONFIG, '.env': 'BEDROCK_AWS_DEFAULT_REGION=us-east-1\nBEDROCK_AWS_ACCESS_KEY_ID=AKIDONLY\n' },
  });
  try {
    assert.ok(halfPair.ready, halfPair.output());
    const state = (await request(halfPair.port, 'GET', '/api/_state')).json;
    assert.equal(state.credentials.method, 'error');
    const res = await request(halfPair.port, 'POST', '/api/_chat', { model: 'amazon.nova-lite-v1:0', text: 'hi' });
    assert.equal(res.status, 502);
    assert.equal(
      res.json.message,
      'Both BEDROCK_AWS_ACCESS_KEY_ID and BEDROCK_AWS_SECRET_ACCESS_KEY must be provided together.',
    );
  } finally {
    await halfPair.stop();
  }
});

test('chat credentials: BEDROCK_AWS_BEARER_TOKEN, and user_provided keys from the request', async () => {
  const fake = await startBedrockFake();
  const base = 'BEDROCK_AWS_DEFAULT_REGION=us-east-1\nBEDROCK_PROFILE_NOVA_LITE=' + ARN_FILE + '\n';
  const bearer = await startServer({
    files: { 'librechat.yaml': CONFIG, '.env': `${base}BEDROCK_AWS_BEARER_TOKEN=${SECRET}\nBEDROCK_AWS_ACCESS_KEY_ID=AKIDX\nBEDROCK_AWS_SECRET_ACCESS_KEY=xx\n` },
    env: { AWS_ENDPOINT_URL_BEDROCK_RUNTIME: fake.url },
  });
  try {
    assert.ok(bearer.ready, bearer.output());
    const state = (await request(bearer.port, 'GET', '/api/_state')).json;
    assert.equal(state.credentials.method, 'bearer_token');
    const res = await request(bearer.port, 'POST', '/api/_chat', { model: 'amazon.nova-lite-v1:0', text: 'hi' });
    assert.equal(res.status, 200, res.text);
    const call = fake.calls.at(-1);
    assert.equal(call.auth, 'Bearer');
    assert.equal(call.bearer, SECRET);
    assert.equal(call.path, `/model/${encodeURIComponent(ARN_FILE)}/converse`);
  } finally {
    await bearer.stop();
  }

  const perUser = await startServer({
    files: {
      'librechat.yaml': CONFIG,
      '.env': `${base}BEDROCK_AWS_ACCESS_KEY_ID=user_provided\nBEDROCK_AWS_SECRET_ACCESS_KEY=user_provided\n`,
    },
    env: { AWS_ENDPOINT_URL_BEDROCK_RUNTIME: fake.url },
  });
  try {
    assert.ok(perUser.ready, perUser.output());
    const state = (await request(perUser.port, 'GET', '/api/_state')).json;
    assert.equal(state.credentials.method, 'user_provided');
    assert.deepEqual(state.credentials.userProvided, ['BEDROCK_AWS_ACCESS_KEY_ID', 'BEDROCK_AWS_SECRET_ACCESS_KEY']);
    const none = await request(perUser.port, 'POST', '/api/_chat', { model: 'amazon.nova-lite-v1:0', text: 'hi' });
    assert.equal(none.status, 502);
    assert.equal(none.json.message, 'Bedrock credentials not provided. Please provide them again.');
    const res = await request(perUser.port, 'POST', '/api/_chat', {
      model: 'amazon.nova-lite-v1:0',
      text: 'hi',
      userKey: { accessKeyId: 'AKIDUSER', secretAccessKey: 'usersecret' },
    });
    assert.equal(res.status, 200, res.text);
    const call = fake.calls.at(-1);
    assert.equal(call.auth, 'AWS4-HMAC-SHA256');
    assert.equal(call.path, `/model/${encodeURIComponent(ARN_FILE)}/converse`);
  } finally {
    await perUser.stop();
    await fake.close();
  }
});

test('CONFIG_PATH as an http URL: fetched; a failed fetch runs without the config', async () => {
  const served = http.createServer((req, res) => {
    if (req.url === '/librechat.yaml') {
      res.writeHead(200, { 'Content-Type': 'application/yaml' });
      res.end(CONFIG);
    } else {
      res.writeHead(404);
      res.end('nope');
    }
  });
  await new Promise((resolve) => served.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${served.address().port}`;
  try {
    const ok = await startServer({ files: { '.env': DOTENV }, env: { CONFIG_PATH: `${base}/librechat.yaml` } });
    try {
      assert.ok(ok.ready, ok.output());
      const state = (await request(ok.port, 'GET', '/api/_state')).json;
      assert.equal(state.config.remote, true);
      assert.equal(state.config.loaded, true);
      assert.equal(state.config.sha256, crypto.createHash('sha256').update(CONFIG).digest('hex'));
      assert.equal(state.bedrock.profiles['amazon.nova-lite-v1:0'], ARN_FILE);
    } finally {
      await ok.stop();
    }
    const missing = await startServer({ files: { '.env': DOTENV }, env: { CONFIG_PATH: `${base}/missing.yaml` } });
    try {
      assert.ok(missing.ready, missing.output());
      assert.ok(missing.output().includes(`error: Failed to fetch the remote config file from ${base}/missing.yaml`));
      const state = (await request(missing.port, 'GET', '/api/_state')).json;
      assert.equal(state.config.loaded, false);
      assert.equal(state.config.status, 'fetch_error');
    } finally {
      await missing.stop();
    }
  } finally {
    await new Promise((resolve) => served.close(resolve));
  }
});
