'use strict';

/*
 * Checks a librechat.yaml the way LibreChat's config loader does, and reads a
 * .env the way LibreChat does.
 *
 *   node check.js --yaml PATH [--env PATH]
 *   node check.js --batch < {"yaml": [text, ...], "env": [text, ...]}
 *
 * --batch judges many texts in one process (the Python tests compare the controller's reading with this one):
 * it prints {"yaml": [{"valid", "errors", "parse_error", "loaded"}, ...], "env": [{...}, ...]}, where `loaded` is
 * what js-yaml built (a Date as {"$date": ISO}, NaN and the infinities as {"$number": "NaN"}, ...).
 *
 * Prints one JSON object on stdout:
 *   {"yaml": {"valid": bool, "errors": [{"path": "...", "message": "..."}],
 *             "bedrock": <endpoints.bedrock after schema parsing, or null>},
 *    "env": {"KEY": "value", ...} or null}
 *
 * Exit codes: 0 valid, 1 invalid, 2 usage or I/O error (then the JSON object
 * is {"error": "..."}).
 */

const fs = require('fs');

const USAGE = 'usage: node check.js --yaml PATH [--env PATH]';

function fail(message) {
  process.stdout.write(JSON.stringify({ error: message }) + '\n');
  process.stderr.write(message + '\n' + USAGE + '\n');
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { yaml: null, env: null };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    if (name !== '--yaml' && name !== '--env') {
      fail(`unknown argument: ${arg}`);
    }
    let value;
    if (eq !== -1) {
      value = arg.slice(eq + 1);
    } else {
      i += 1;
      if (i >= argv.length) {
        fail(`${name} needs a path`);
      }
      value = argv[i];
    }
    if (!value) {
      fail(`${name} needs a path`);
    }
    opts[name.slice(2)] = value;
  }
  if (!opts.yaml) {
    fail('--yaml is required');
  }
  return opts;
}

function loadDeps() {
  try {
    return {
      configSchema: require('librechat-data-provider').configSchema,
      yaml: require('js-yaml'),
      dotenv: require('dotenv'),
    };
  } catch (e) {
    fail(`cannot load dependencies (run "npm ci" in ${__dirname}): ${e.message}`);
  }
}

function readFile(path, encoding) {
  try {
    return fs.readFileSync(path, encoding);
  } catch (e) {
    fail(`cannot read ${path}: ${e.message}`);
  }
}

function checkYaml(deps, path) {
  return checkText(deps, readFile(path, 'utf8'));
}

function checkText(deps, contents) {
  let loaded;
  try {
    // LibreChat's loadYaml(): yaml.load(fs.readFileSync(filepath, 'utf8'))
    loaded = deps.yaml.load(contents);
  } catch (e) {
    return { valid: false, errors: [{ path: '', message: e.message }], bedrock: null };
  }
  // LibreChat's loader validates with configSchema.strict().safeParse(...):
  // unknown top-level keys are errors there, so they are errors here too.
  const result = deps.configSchema.strict().safeParse(loaded);
  if (!result.success) {
    const errors = result.error.issues.map((issue) => ({
      path: issue.path.join('.'),
      message: issue.message,
    }));
    return { valid: false, errors, bedrock: null };
  }
  const endpoints = result.data.endpoints;
  const bedrock = endpoints && endpoints.bedrock !== undefined ? endpoints.bedrock : null;
  return { valid: true, errors: [], bedrock };
}

function tagged(key, value) {
  // JSON has no date, NaN or infinity: tag them so the Python side can compare exactly.
  const raw = this[key];
  if (raw instanceof Date) {
    return { $date: isNaN(raw.getTime()) ? 'Invalid Date' : raw.toISOString() };
  }
  if (typeof raw === 'number' && !Number.isFinite(raw)) {
    return { $number: String(raw) };
  }
  return value;
}

function batch(deps) {
  const input = JSON.parse(fs.readFileSync(0, 'utf8'));
  const yamlResults = (input.yaml || []).map((text) => {
    let loaded;
    let parseError = null;
    try {
      loaded = deps.yaml.load(text);
    } catch (e) {
      parseError = e.message;
    }
    const result = checkText(deps, text);
    return { ...result, parse_error: parseError, loaded: parseError === null && loaded !== undefined ? loaded : null };
  });
  const envResults = (input.env || []).map((text) => deps.dotenv.parse(Buffer.from(text, 'utf8')));
  process.stdout.write(JSON.stringify({ yaml: yamlResults, env: envResults }, tagged) + '\n');
}

function main() {
  if (process.argv[2] === '--batch') {
    batch(loadDeps());
    return;
  }
  const opts = parseArgs(process.argv.slice(2));
  const deps = loadDeps();
  // Read the .env first so that an unreadable file is a usage/IO error (exit 2)
  // whatever the YAML holds.
  const env = opts.env === null ? null : deps.dotenv.parse(readFile(opts.env));
  const yamlResult = checkYaml(deps, opts.yaml);
  process.stdout.write(JSON.stringify({ yaml: yamlResult, env }) + '\n');
  process.exitCode = yamlResult.valid ? 0 : 1;
}

main();
