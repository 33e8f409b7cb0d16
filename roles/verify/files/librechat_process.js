// What LibreChat's process holds once it has started, asked inside its own container as its own user:
//   docker compose -f <files> exec -T <service> node -e "<this file>" -- <profile variable names>
// in the image's working directory (/app in LibreChat's image). One JSON line; names and non-secret values only:
// never the value of a credential variable. It follows LibreChat's own start-up
// (github.com/danny-avila/LibreChat; tests/librechat_app/README.md cites the same files):
// - api/server/index.js (from v0.8.8 through api/config/credentials.js) calls require('dotenv').config() first:
//   <cwd>/.env, never overriding a variable the process already has, skipping a file it cannot read. `require`
//   in `node -e` resolves from the cwd, so this is LibreChat's own dotenv, from its node_modules.
// - packages/api/src/endpoints/bedrock/credentials.ts: a credential variable set to user_provided, else
//   BEDROCK_AWS_BEARER_TOKEN, else the static pair (one half alone fails every request); then initialize.ts:
//   BEDROCK_AWS_PROFILE, else the AWS SDK's default chain. Named as librechat_config_auth names them.
'use strict';
const fs = require('fs');
const path = require('path');

const env = process.env;
const envPath = path.resolve('.env');
const out = { uid: process.getuid(), gid: process.getgid(), cwd: process.cwd(), envFile: { path: envPath } };
try {
  const result = require('dotenv').config();
  out.envFile.loaded = !result.error;
  out.envFile.error = result.error ? result.error.code || String(result.error.message) : null;
} catch (error) {
  out.dotenvError = error.code || String(error.message);
}
const can = (mode) => {
  try {
    fs.accessSync(envPath, mode);
    return true;
  } catch {
    return false;
  }
};
out.envFile.exists = can(fs.constants.F_OK);
out.envFile.readable = can(fs.constants.R_OK);
// a bind mount of the host's file shows as a mount point at <cwd>/.env (field 5 of mountinfo, octal escapes)
try {
  const unescape = (text) => text.replace(/\\([0-7]{3})/g, (_, code) => String.fromCharCode(parseInt(code, 8)));
  out.envFile.mounted = fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .some((line) => unescape(line.split(' ')[4] || '') === envPath);
} catch {
  out.envFile.mounted = null;
}

const SECRET = ['BEDROCK_AWS_ACCESS_KEY_ID', 'BEDROCK_AWS_SECRET_ACCESS_KEY', 'BEDROCK_AWS_SESSION_TOKEN',
  'BEDROCK_AWS_BEARER_TOKEN'];
const set = (name) => typeof env[name] === 'string' && env[name] !== '';
let method = 'default_chain';
if (SECRET.some((name) => env[name] === 'user_provided')) method = 'user_provided';
else if (set('BEDROCK_AWS_BEARER_TOKEN')) method = 'bearer';
else if (set(SECRET[0]) !== set(SECRET[1])) method = 'unpaired';
else if (set(SECRET[0])) method = 'static';
else if (set('BEDROCK_AWS_PROFILE')) method = 'profile';
out.credentials = { method, set: [...SECRET, 'BEDROCK_AWS_PROFILE'].filter(set) };
out.BEDROCK_AWS_DEFAULT_REGION = env.BEDROCK_AWS_DEFAULT_REGION ?? null;
out.ENDPOINTS = env.ENDPOINTS ?? null;
// profile ARNs are not secret; a credential variable named here is never printed
out.profiles = Object.fromEntries(
  process.argv.slice(1).filter((name) => !SECRET.includes(name)).map((name) => [name, env[name] ?? null]));
process.stdout.write(`${JSON.stringify(out)}\n`);
