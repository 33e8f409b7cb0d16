'use strict';

/*
 * A LibreChat stand-in for the collection's tests: LibreChat's start-up handling of `.env` and
 * `librechat.yaml`, and its Bedrock chat client, built from LibreChat's published npm packages
 * (`librechat-data-provider`, `@librechat/agents`) with no MongoDB, no auth and no UI.
 *
 *   node server.js            (cwd = the app directory, /app in the container)
 *
 * Every step names the LibreChat file it follows (paths in github.com/danny-avila/LibreChat,
 * v0.8.8-rc4 era). Routes:
 *   GET  /health        LibreChat's own health check: 200 "OK".
 *   GET  /api/_state    ours, not LibreChat's: what this process holds (no secret values).
 *   POST /api/_chat     ours, not LibreChat's: one Bedrock chat turn through LibreChat's client.
 * See README.md.
 */

const fs = require('fs');
const path = require('path');
const http = require('http');
const crypto = require('crypto');

/* ------------------------------------------------------------------------------------------ *
 * Logging. LibreChat logs through winston (`@librechat/data-schemas` logger) to the console as
 * `<ISO time> <level>: <message>`; an Error passed after the message is appended to it. The
 * message texts below are LibreChat's; the line format is an approximation. Written
 * synchronously, so nothing is lost when the process exits right after (schema error).
 * ------------------------------------------------------------------------------------------ */
function log(level, message, cause) {
  let text = String(message);
  if (cause !== undefined && cause !== null) {
    text += ' ' + (cause instanceof Error || (cause && cause.message) ? cause.message : String(cause));
  }
  try {
    fs.writeSync(1, `${new Date().toISOString()} ${level}: ${text}\n`);
  } catch {
    /* stdout gone: nothing to do */
  }
}
const logger = {
  info: (m, c) => log('info', m, c),
  warn: (m, c) => log('warn', m, c),
  error: (m, c) => log('error', m, c),
};

/* ------------------------------------------------------------------------------------------ *
 * Step 1: `.env`. LibreChat's `api/server/index.js` starts with `require('dotenv').config()`
 * (from v0.8.8 via `api/config/credentials.js`, which calls dotenv first): the file is
 * `<cwd>/.env`, a variable the process environment already has is never overridden, and a
 * file that cannot be read (missing, no permission) is skipped without a word.
 * We note which variable names existed before, to report what dotenv applied and what it left.
 * ------------------------------------------------------------------------------------------ */
const envFilePath = path.resolve(process.cwd(), '.env');
const namesBeforeDotenv = new Set(Object.keys(process.env));
const dotenvResult = require('dotenv').config();

const yaml = require('js-yaml');
const {
  AuthType,
  EModelEndpoint,
  configSchema,
  EImageOutputType,
  extractEnvVariable,
  removeNullishValues,
  bedrockInputParser,
  bedrockOutputParser,
  getEnabledEndpoints,
} = require('librechat-data-provider');

/* ------------------------------------------------------------------------------------------ *
 * Step 2: `librechat.yaml`. Follows `packages/api/src/app/loader.ts` (createCustomConfigLoader,
 * which `api/server/services/Config/loadCustomConfig.js` wraps with `loadYaml` from
 * `packages/api/src/utils/yaml.ts`):
 *  - the path is CONFIG_PATH, else `<project root>/librechat.yaml` (the project root is /app in
 *    LibreChat's image; here it is the cwd);
 *  - an http(s) URL is fetched (LibreChat: axios.get, whose default response handling turns a
 *    JSON body into an object and leaves anything else a string); a failed fetch is logged
 *    and LibreChat runs without the config;
 *  - a local file is read with `yaml.load(fs.readFileSync(path, 'utf8'))`; any error (missing
 *    file, no permission, YAML syntax, duplicate key) is *returned*, so it is logged as
 *    "Config file YAML format is invalid:" and LibreChat runs without the config;
 *  - an empty document (falsy) logs "Custom config file missing or YAML format invalid.";
 *  - a string result is parsed once more with `yaml.load`;
 *  - `configSchema.strict().safeParse(...)`: a wrong `imageOutputType` throws (start-up fails),
 *    any other schema error is logged and the process exits with code 1, unless
 *    CONFIG_BYPASS_VALIDATION=true (then it runs without the config);
 *  - on success it logs "Custom config file loaded:" and the config as JSON.
 * `loadLocal`/`fetchRemote` here also keep the bytes read, for our sha256.
 * ------------------------------------------------------------------------------------------ */
const configInfo = {
  path: null,
  remote: false,
  loaded: false,
  status: 'not_read',
  error: null,
  sha256: null,
  bytes: null,
};

function noteBytes(buffer) {
  configInfo.sha256 = crypto.createHash('sha256').update(buffer).digest('hex');
  configInfo.bytes = buffer.length;
}

/** packages/api/src/utils/yaml.ts `loadYaml`: the parsed document, or the error thrown. */
function loadYaml(filepath) {
  try {
    const buffer = fs.readFileSync(filepath);
    noteBytes(buffer);
    return yaml.load(buffer.toString('utf8'));
  } catch (e) {
    return e;
  }
}

/** loader.ts' default `fetchRemote` is `(await axios.get(configPath)).data`. */
async function fetchRemote(configPath) {
  const response = await fetch(configPath);
  if (!response.ok) {
    // axios rejects a status outside 2xx
    throw new Error(`Request failed with status code ${response.status}`);
  }
  const buffer = Buffer.from(await response.arrayBuffer());
  noteBytes(buffer);
  const text = buffer.toString('utf8');
  try {
    return JSON.parse(text); // axios' default transformResponse (silent JSON parsing)
  } catch {
    return text;
  }
}

/**
 * LibreChat logs the config through `redactConfigSecretMaps` (packages/api/src/admin/secrets.ts),
 * which masks the values of registered map-valued secrets (header maps). The registry is not
 * reproduced: we mask the values of every `headers` map. The bedrock section holds none.
 */
function redactForLog(config) {
  const clone = JSON.parse(JSON.stringify(config));
  (function walk(node) {
    if (Array.isArray(node)) {
      node.forEach(walk);
    } else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (key === 'headers' && value && typeof value === 'object' && !Array.isArray(value)) {
          for (const name of Object.keys(value)) {
            value[name] = '[REDACTED]';
          }
        } else {
          walk(value);
        }
      }
    }
  })(clone);
  return clone;
}

async function loadCustomConfig() {
  const configPath = process.env.CONFIG_PATH || path.resolve(process.cwd(), 'librechat.yaml');
  configInfo.path = configPath;

  let loadedConfig;
  if (/^https?:\/\//.test(configPath)) {
    configInfo.remote = true;
    try {
      loadedConfig = await fetchRemote(configPath);
    } catch (error) {
      configInfo.status = 'fetch_error';
      configInfo.error = error.message;
      logger.error(`Failed to fetch the remote config file from ${configPath}`, error);
      return null;
    }
  } else {
    loadedConfig = loadYaml(configPath);
    if (!loadedConfig) {
      configInfo.status = 'empty';
      logger.info(
        'Custom config file missing or YAML format invalid.\n\n' +
          'Check out the latest config file guide for configurable options and features.\n' +
          'https://www.librechat.ai/docs/configuration/librechat_yaml\n\n',
      );
      return null;
    }
    if (
      loadedConfig instanceof Error ||
      (typeof loadedConfig === 'object' && ('reason' in loadedConfig || 'stack' in loadedConfig))
    ) {
      const code = loadedConfig.code;
      configInfo.status =
        code === 'ENOENT' ? 'missing' : code === 'EACCES' ? 'unreadable' : 'yaml_error';
      configInfo.error = loadedConfig.message || String(loadedConfig);
      logger.error('Config file YAML format is invalid:', loadedConfig);
      return null;
    }
  }

  if (typeof loadedConfig === 'string') {
    try {
      loadedConfig = yaml.load(loadedConfig);
    } catch (error) {
      configInfo.status = 'yaml_error';
      configInfo.error = error.message;
      logger.info(`Failed to parse the YAML config from ${configPath}`, error);
      return null;
    }
  }

  const result = configSchema.strict().safeParse(loadedConfig);
  if (result.error?.errors.some((e) => e.path != null && e.path.includes('imageOutputType'))) {
    throw new Error(
      '\nPlease specify a correct `imageOutputType` value (case-sensitive).\n\n' +
        'The available options are:\n' +
        `- ${EImageOutputType.JPEG}\n- ${EImageOutputType.PNG}\n- ${EImageOutputType.WEBP}\n\n` +
        'Refer to the latest config file guide for more information:\n' +
        'https://www.librechat.ai/docs/configuration/librechat_yaml',
    );
  }
  if (!result.success) {
    const message = `Invalid custom config file at ${configPath}:\n${JSON.stringify(result.error, null, 2)}`;
    logger.error(message);
    const speechError = result.error.errors.find(
      (e) => e.code === 'unrecognized_keys' && (e.message?.includes('stt') || e.message?.includes('tts')),
    );
    if (speechError) {
      logger.warn(
        '\nThe Speech-to-text and Text-to-speech configuration format has recently changed.\n' +
          "If you're getting this error, please refer to the latest documentation:\n\n" +
          'https://www.librechat.ai/docs/configuration/stt_tts',
      );
    }
    if (process.env.CONFIG_BYPASS_VALIDATION === 'true') {
      configInfo.status = 'invalid_bypassed';
      configInfo.error = message;
      logger.warn(
        'CONFIG_BYPASS_VALIDATION is enabled. Continuing with default configuration despite validation errors.',
      );
      return null;
    }
    logger.error(
      'Exiting due to invalid configuration. Set CONFIG_BYPASS_VALIDATION=true to bypass this check.',
    );
    process.exit(1);
  }

  // loader.ts then applies OpenRouter defaults and checks `customParams` of custom endpoints
  // (not reproduced: nothing Bedrock), and keeps the schema's parsed `modelSpecs`.
  if (result.data.modelSpecs) {
    loadedConfig.modelSpecs = result.data.modelSpecs;
  }
  logger.info('Custom config file loaded:');
  logger.info(JSON.stringify(redactForLog(loadedConfig), null, 2));
  configInfo.loaded = true;
  configInfo.status = 'loaded';
  return loadedConfig;
}

/* ------------------------------------------------------------------------------------------ *
 * The app config. `packages/data-schemas/src/app/endpoints.ts` (loadEndpoints) copies the raw
 * `endpoints.bedrock` object of the loaded YAML into `appConfig.endpoints.bedrock` (keys the
 * schema does not know stay in it), and `endpoints.all` likewise. No config: no bedrock section.
 * ------------------------------------------------------------------------------------------ */
const appConfig = { endpoints: {} };

function bedrockSection() {
  return appConfig.endpoints[EModelEndpoint.bedrock];
}

/* ------------------------------------------------------------------------------------------ *
 * Bedrock credentials: `packages/api/src/endpoints/bedrock/credentials.ts`
 * (resolveBedrockCredentials). Order: any BEDROCK_AWS_* credential variable set to
 * `user_provided` means the user's stored key is used (LibreChat reads it from MongoDB; here it
 * comes in the request body as `userKey`); else BEDROCK_AWS_BEARER_TOKEN; else the static pair
 * BEDROCK_AWS_ACCESS_KEY_ID + BEDROCK_AWS_SECRET_ACCESS_KEY (+ BEDROCK_AWS_SESSION_TOKEN), an
 * error when only one of the pair is set; else nothing (initialize.ts then passes
 * BEDROCK_AWS_PROFILE, or leaves the SDK's default chain).
 * ------------------------------------------------------------------------------------------ */
const CREDENTIALS_ERROR = 'Bedrock credentials not provided. Please provide them again.';
const CREDENTIAL_VARS = [
  'BEDROCK_AWS_BEARER_TOKEN',
  'BEDROCK_AWS_ACCESS_KEY_ID',
  'BEDROCK_AWS_SECRET_ACCESS_KEY',
  'BEDROCK_AWS_SESSION_TOKEN',
  'BEDROCK_AWS_PROFILE',
];

function parseUserKey(userKey) {
  const isRecord = (v) => v != null && typeof v === 'object' && !Array.isArray(v);
  const stored = JSON.parse(userKey);
  if (!isRecord(stored)) throw new Error(CREDENTIALS_ERROR);
  if (typeof stored.apiKey !== 'string') return stored;
  const nested = JSON.parse(stored.apiKey);
  if (!isRecord(nested)) throw new Error(CREDENTIALS_ERROR);
  return nested;
}

function userValue(credentials, key) {
  if (!Object.prototype.hasOwnProperty.call(credentials, key)) return undefined;
  const value = credentials[key];
  if (value === '') return undefined;
  if (typeof value !== 'string') throw new Error(CREDENTIALS_ERROR);
  return value;
}

function resolveBedrockCredentials(env, readUserKey) {
  const userProvides = {
    accessKeyId: env.BEDROCK_AWS_ACCESS_KEY_ID === AuthType.USER_PROVIDED,
    secretAccessKey: env.BEDROCK_AWS_SECRET_ACCESS_KEY === AuthType.USER_PROVIDED,
    sessionToken: env.BEDROCK_AWS_SESSION_TOKEN === AuthType.USER_PROVIDED,
    bearerToken: env.BEDROCK_AWS_BEARER_TOKEN === AuthType.USER_PROVIDED,
  };
  const isUserProvided = Object.values(userProvides).some(Boolean);
  const staticAccessKeyId = userProvides.accessKeyId ? undefined : env.BEDROCK_AWS_ACCESS_KEY_ID;
  const staticSecretAccessKey = userProvides.secretAccessKey ? undefined : env.BEDROCK_AWS_SECRET_ACCESS_KEY;
  const staticSessionToken = userProvides.sessionToken ? undefined : env.BEDROCK_AWS_SESSION_TOKEN;
  const staticBearerToken = userProvides.bearerToken ? undefined : env.BEDROCK_AWS_BEARER_TOKEN;
  const hasAccessKey = staticAccessKeyId != null && staticAccessKeyId !== '';
  const hasSecretKey = staticSecretAccessKey != null && staticSecretAccessKey !== '';

  let credentials;
  let bearerToken;
  let method;
  if (isUserProvided) {
    const userKey = readUserKey();
    if (!userKey) throw new Error(CREDENTIALS_ERROR);
    let user;
    try {
      user = parseUserKey(userKey);
    } catch {
      throw new Error(CREDENTIALS_ERROR);
    }
    const userBearer = userProvides.bearerToken ? userValue(user, 'bearerToken') : undefined;
    if (userBearer) {
      bearerToken = userBearer;
      method = 'user_provided_bearer_token';
    } else {
      const canUseKeys = userProvides.accessKeyId || userProvides.secretAccessKey || userProvides.sessionToken;
      const accessKeyId = userProvides.accessKeyId ? userValue(user, 'accessKeyId') : staticAccessKeyId;
      const secretAccessKey = userProvides.secretAccessKey
        ? userValue(user, 'secretAccessKey')
        : staticSecretAccessKey;
      const sessionToken = userProvides.sessionToken ? userValue(user, 'sessionToken') : staticSessionToken;
      if (!canUseKeys || !accessKeyId || !secretAccessKey) throw new Error(CREDENTIALS_ERROR);
      credentials = { accessKeyId, secretAccessKey, ...(sessionToken && { sessionToken }) };
      method = 'user_provided_keys';
    }
  } else if (staticBearerToken) {
    bearerToken = staticBearerToken;
    method = 'bearer_token';
  } else if (hasAccessKey !== hasSecretKey) {
    throw new Error(
      'Both BEDROCK_AWS_ACCESS_KEY_ID and BEDROCK_AWS_SECRET_ACCESS_KEY must be provided together.',
    );
  } else if (hasAccessKey && hasSecretKey) {
    credentials = {
      accessKeyId: staticAccessKeyId,
      secretAccessKey: staticSecretAccessKey,
      ...(staticSessionToken && { sessionToken: staticSessionToken }),
    };
    method = 'static_keys';
  }
  return { credentials, bearerToken, method };
}

/** What resolveBedrockCredentials would pick with the current environment, without values. */
function describeCredentials() {
  const env = process.env;
  const present = CREDENTIAL_VARS.filter((name) => env[name] != null && env[name] !== '');
  const userProvided = CREDENTIAL_VARS.filter((name) => env[name] === AuthType.USER_PROVIDED);
  const awsNames = Object.keys(env)
    .filter((name) => name.startsWith('AWS_'))
    .sort();
  let method;
  let error = null;
  if (userProvided.length > 0) {
    method = 'user_provided';
  } else {
    try {
      method = resolveBedrockCredentials(env, () => null).method;
    } catch (e) {
      method = 'error';
      error = e.message;
    }
    if (!method) {
      method = env.BEDROCK_AWS_PROFILE ? 'profile' : 'default_chain';
    }
  }
  return {
    method,
    error,
    present,
    userProvided,
    profile: env.BEDROCK_AWS_PROFILE || null,
    awsEnvNames: awsNames,
  };
}

/* ------------------------------------------------------------------------------------------ *
 * Proxy selection, as `packages/api/src/utils/proxy.ts` (getHttpsProxyAgent) does for Bedrock:
 * PROXY/proxy wins, else https_proxy/HTTPS_PROXY (http_proxy/HTTP_PROXY as fallback); NO_PROXY is
 * matched against the Bedrock target `https://bedrock-runtime.<region>.amazonaws.com` (or
 * `https://<BEDROCK_REVERSE_PROXY>`), as initialize.ts' getBedrockProxyTarget builds it.
 * Older trees (v0.8.6) look at PROXY only; with only PROXY set both agree.
 * ------------------------------------------------------------------------------------------ */
function firstEnv(...names) {
  for (const name of names) {
    const value = process.env[name]?.trim();
    if (value) return value;
  }
  return undefined;
}

function proxyEnvConfig() {
  const noProxy = firstEnv('no_proxy', 'NO_PROXY');
  const proxy = firstEnv('PROXY', 'proxy');
  if (proxy) return { httpProxy: proxy, httpsProxy: proxy, noProxy };
  const httpProxy = firstEnv('http_proxy', 'HTTP_PROXY');
  const httpsProxy = firstEnv('https_proxy', 'HTTPS_PROXY');
  if (!httpProxy && !httpsProxy) return undefined;
  return { httpProxy, httpsProxy, noProxy };
}

function bypassesProxy(url, noProxy) {
  if (!noProxy?.trim()) return false;
  const host = url.hostname.toLowerCase().replace(/^\[|\]$/g, '').replace(/\.$/, '');
  const port = Number.parseInt(url.port, 10) || (url.protocol === 'https:' ? 443 : 80);
  return noProxy
    .split(/[\s,]+/)
    .filter(Boolean)
    .some((entry) => {
      const match = entry.trim().match(/^\[?([^\]]+?)\]?(?::(\d+))?$/);
      if (!match) return false;
      const entryPort = match[2] ? Number.parseInt(match[2], 10) : 0;
      if (entryPort > 0 && entryPort !== port) return false;
      let entryHost = match[1].toLowerCase().replace(/\.$/, '');
      if (entryHost === '*') return true;
      entryHost = entryHost.replace(/^\*?\./, '');
      return host === entryHost || host.endsWith(`.${entryHost}`);
    });
}

function bedrockProxyTarget(region, reverseProxy) {
  if (reverseProxy?.trim()) return `https://${reverseProxy.trim()}`;
  if (!region?.trim()) return undefined;
  return `https://bedrock-runtime.${region.trim()}.amazonaws.com`;
}

function httpsProxyAgentFor(target) {
  const config = proxyEnvConfig();
  if (!config) return undefined;
  let proxyUrl = config.httpsProxy ?? config.httpProxy;
  if (target) {
    const url = new URL(target);
    if (bypassesProxy(url, config.noProxy)) return undefined;
  }
  if (!proxyUrl) return undefined;
  const { HttpsProxyAgent } = require('https-proxy-agent');
  return new HttpsProxyAgent(proxyUrl);
}

/* ------------------------------------------------------------------------------------------ *
 * The Bedrock client options: `packages/api/src/endpoints/bedrock/initialize.ts`
 * (initializeBedrock), for the agents path:
 *  - llmConfig = bedrockOutputParser(bedrockInputParser.parse(removeNullishValues({model,
 *    region: BEDROCK_AWS_DEFAULT_REGION, ...model_parameters}))) -- a region the user picked
 *    (in model_parameters) replaces the default;
 *  - guardrailConfig from the YAML with `extractEnvVariable` on identifier and version;
 *  - `applicationInferenceProfile = extractEnvVariable(inferenceProfiles[model])` when the model
 *    ID the user picked is a key of `inferenceProfiles` (exact match, truthy value);
 *  - with a proxy or a bearer token: a BedrockRuntimeClient made here (token + httpBearerAuth,
 *    or the complete key pair, or fromNodeProviderChain({profile}); a NodeHttpHandler only for
 *    the proxy; `endpoint: https://<BEDROCK_REVERSE_PROXY>` when set), passed as `client`;
 *  - otherwise `credentials` (when resolved), else `profile` (BEDROCK_AWS_PROFILE), and
 *    `endpointHost` (BEDROCK_REVERSE_PROXY): ChatBedrockConverse then builds the SDK's default
 *    client itself (NodeHttp2Handler since @aws-sdk/client-bedrock-runtime 3.798.0);
 *  - `_lc_stream_delay` from `endpoints.all.streamRate`, else `endpoints.bedrock.streamRate`.
 * ------------------------------------------------------------------------------------------ */
function initializeBedrock({ model_parameters, userKey }) {
  const bedrockConfig = bedrockSection();
  const { BEDROCK_AWS_PROFILE, BEDROCK_REVERSE_PROXY, BEDROCK_AWS_DEFAULT_REGION } = process.env;

  const { credentials, bearerToken } = resolveBedrockCredentials(process.env, () => {
    if (userKey == null) return null;
    return typeof userKey === 'string' ? userKey : JSON.stringify(userKey);
  });

  const requestOptions = { model: model_parameters?.model, region: BEDROCK_AWS_DEFAULT_REGION };
  const llmConfig = bedrockOutputParser(
    bedrockInputParser.parse(removeNullishValues({ ...requestOptions, ...(model_parameters ?? {}) })),
  );

  if (bedrockConfig?.guardrailConfig) {
    llmConfig.guardrailConfig = {
      ...bedrockConfig.guardrailConfig,
      guardrailIdentifier: extractEnvVariable(bedrockConfig.guardrailConfig.guardrailIdentifier),
      guardrailVersion: extractEnvVariable(bedrockConfig.guardrailConfig.guardrailVersion),
    };
  }

  const model = model_parameters?.model;
  if (model && bedrockConfig?.inferenceProfiles?.[model]) {
    llmConfig.applicationInferenceProfile = extractEnvVariable(bedrockConfig.inferenceProfiles[model]);
  }

  const hasCompleteCredentials =
    credentials &&
    typeof credentials.accessKeyId === 'string' &&
    credentials.accessKeyId !== '' &&
    typeof credentials.secretAccessKey === 'string' &&
    credentials.secretAccessKey !== '';
  const hasBearerToken = typeof bearerToken === 'string' && bearerToken !== '';

  const region = typeof llmConfig.region === 'string' ? llmConfig.region : undefined;
  const proxyAgent = httpsProxyAgentFor(bedrockProxyTarget(region, BEDROCK_REVERSE_PROXY));
  let transport = 'sdk-default';
  if (proxyAgent || hasBearerToken) {
    const { BedrockRuntimeClient } = require('@aws-sdk/client-bedrock-runtime');
    const clientConfig = { region: llmConfig.region ?? BEDROCK_AWS_DEFAULT_REGION };
    if (hasBearerToken) {
      clientConfig.token = { token: bearerToken };
      clientConfig.authSchemePreference = ['httpBearerAuth'];
    } else if (hasCompleteCredentials) {
      clientConfig.credentials = credentials;
    } else if (BEDROCK_AWS_PROFILE) {
      const { fromNodeProviderChain } = require('@aws-sdk/credential-providers');
      clientConfig.credentials = fromNodeProviderChain({ profile: BEDROCK_AWS_PROFILE });
    }
    if (proxyAgent) {
      const { NodeHttpHandler } = require('@smithy/node-http-handler');
      clientConfig.requestHandler = new NodeHttpHandler({ httpAgent: proxyAgent, httpsAgent: proxyAgent });
      transport = 'proxy (NodeHttpHandler)';
    } else {
      transport = 'sdk-default (client built for the bearer token)';
    }
    if (BEDROCK_REVERSE_PROXY) {
      clientConfig.endpoint = `https://${BEDROCK_REVERSE_PROXY}`;
    }
    llmConfig.client = new BedrockRuntimeClient(clientConfig);
  } else {
    if (credentials) {
      llmConfig.credentials = credentials;
    }
    if (!credentials && BEDROCK_AWS_PROFILE) {
      llmConfig.profile = BEDROCK_AWS_PROFILE;
    }
    if (BEDROCK_REVERSE_PROXY) {
      llmConfig.endpointHost = BEDROCK_REVERSE_PROXY;
    }
  }

  const streamRate =
    appConfig.endpoints?.all?.streamRate != null
      ? appConfig.endpoints.all.streamRate
      : bedrockConfig?.streamRate;
  if (streamRate != null) {
    llmConfig._lc_stream_delay = streamRate;
  }
  return { llmConfig, transport };
}

/* ------------------------------------------------------------------------------------------ *
 * The chat model: `@librechat/agents` creates it in `initializeModel` (src/llm/init.ts) as
 * `new (getChatModelClass(provider))(clientOptions)`; for Providers.BEDROCK that class is
 * CustomChatBedrockConverse (extends @langchain/aws ChatBedrockConverse), which sends
 * `applicationInferenceProfile ?? model` as the modelId. Used untouched.
 * ------------------------------------------------------------------------------------------ */
function contentText(content) {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => (typeof part === 'string' ? part : part?.type === 'text' ? part.text ?? '' : ''))
      .join('');
  }
  return '';
}

async function chat(body) {
  const { getChatModelClass, Providers } = require('@librechat/agents');
  const model_parameters = { model: body.model };
  if (body.region != null) model_parameters.region = body.region;
  const { llmConfig, transport } = initializeBedrock({ model_parameters, userKey: body.userKey });
  const ChatModel = getChatModelClass(Providers.BEDROCK);
  const llm = new ChatModel(llmConfig);
  const messages = [{ role: 'user', content: String(body.text) }];
  let text = '';
  let chunks = 0;
  // The tokens Bedrock counted, as LibreChat's agents read them for its token accounting: LangChain's
  // usage_metadata (Converse's `usage`, ConverseStream's `metadata` event; summed over the chunks of a stream).
  const usage = { input_tokens: 0, output_tokens: 0 };
  const count = (metadata) => {
    usage.input_tokens += metadata?.input_tokens ?? 0;
    usage.output_tokens += metadata?.output_tokens ?? 0;
  };
  if (body.stream) {
    for await (const chunk of await llm.stream(messages)) {
      chunks += 1;
      text += contentText(chunk.content);
      count(chunk.usage_metadata);
    }
  } else {
    const message = await llm.invoke(messages);
    text = contentText(message.content);
    count(message.usage_metadata);
  }
  return {
    text,
    usage,
    model: body.model,
    applicationInferenceProfile: llmConfig.applicationInferenceProfile ?? null,
    region: llmConfig.region ?? null,
    stream: Boolean(body.stream),
    ...(body.stream && { chunks }),
    transport,
  };
}

/* ------------------------------------------------------------------------------------------ *
 * Our own inspection data (GET /api/_state). Names, never values, of credentials.
 * ------------------------------------------------------------------------------------------ */
function packageVersion(name) {
  try {
    return JSON.parse(fs.readFileSync(path.join(__dirname, 'node_modules', name, 'package.json'), 'utf8'))
      .version;
  } catch {
    return null;
  }
}

function envFileState() {
  let exists = false;
  let readable = false;
  try {
    exists = fs.statSync(envFilePath).isFile();
  } catch {
    exists = false;
  }
  try {
    fs.accessSync(envFilePath, fs.constants.R_OK);
    readable = true;
  } catch {
    readable = false;
  }
  const parsed = dotenvResult.parsed ? Object.keys(dotenvResult.parsed) : [];
  return {
    path: envFilePath,
    exists,
    readable,
    loaded: !dotenvResult.error,
    error: dotenvResult.error ? dotenvResult.error.code || dotenvResult.error.message : null,
    keys: parsed,
    applied: parsed.filter((name) => !namesBeforeDotenv.has(name)),
    keptFromProcessEnv: parsed.filter((name) => namesBeforeDotenv.has(name)),
  };
}

function bedrockState() {
  const section = bedrockSection();
  if (!section) {
    return { present: false, models: null, availableRegions: null, profiles: {}, inferenceProfiles: {} };
  }
  const mapping = section.inferenceProfiles && typeof section.inferenceProfiles === 'object'
    ? section.inferenceProfiles
    : {};
  const resolve = (model) => (mapping[model] ? extractEnvVariable(mapping[model]) : null);
  const models = Array.isArray(section.models) ? section.models : null;
  const profiles = {};
  for (const model of models ?? []) profiles[model] = resolve(model);
  const inferenceProfiles = {};
  for (const [model, value] of Object.entries(mapping)) {
    inferenceProfiles[model] = { configured: value, resolved: resolve(model) };
  }
  return {
    present: true,
    models,
    availableRegions: section.availableRegions ?? null,
    profiles,
    inferenceProfiles,
    guardrailConfig: section.guardrailConfig
      ? {
          guardrailIdentifier: extractEnvVariable(section.guardrailConfig.guardrailIdentifier),
          guardrailVersion: extractEnvVariable(section.guardrailConfig.guardrailVersion),
        }
      : null,
  };
}

function state() {
  const enabled = getEnabledEndpoints();
  return {
    app: 'librechat_app (LibreChat stand-in)',
    uid: typeof process.getuid === 'function' ? process.getuid() : null,
    gid: typeof process.getgid === 'function' ? process.getgid() : null,
    cwd: process.cwd(),
    envFile: envFileState(),
    config: { ...configInfo },
    bedrock: bedrockState(),
    BEDROCK_AWS_DEFAULT_REGION: process.env.BEDROCK_AWS_DEFAULT_REGION ?? null,
    credentials: describeCredentials(),
    ENDPOINTS: {
      value: process.env.ENDPOINTS ?? null,
      enabled,
      bedrockEnabled: enabled.includes(EModelEndpoint.bedrock),
    },
    versions: {
      node: process.version,
      'librechat-data-provider': packageVersion('librechat-data-provider'),
      '@librechat/agents': packageVersion('@librechat/agents'),
      '@langchain/aws': packageVersion('@langchain/aws'),
      '@langchain/core': packageVersion('@langchain/core'),
      '@aws-sdk/client-bedrock-runtime': packageVersion('@aws-sdk/client-bedrock-runtime'),
      dotenv: packageVersion('dotenv'),
      'js-yaml': packageVersion('js-yaml'),
    },
  };
}

/* ------------------------------------------------------------------------------------------ *
 * HTTP. LibreChat serves express; three routes are enough here.
 * ------------------------------------------------------------------------------------------ */
function sendJson(res, status, payload) {
  const body = JSON.stringify(payload, null, 2) + '\n';
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(body);
}

function readBody(req, limit = 3 * 1024 * 1024) {
  return new Promise((resolve, reject) => {
    const parts = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > limit) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      parts.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Checks before a chat that LibreChat makes in its UI rather than in initialize.ts: the endpoint
 * is offered only when ENDPOINTS is empty or lists it (librechat-data-provider
 * getEnabledEndpoints), and the region selector offers `availableRegions` only.
 */
function chatRefusal(body) {
  if (typeof body.model !== 'string' || body.model === '') {
    return { status: 400, error: 'BadRequest', message: '"model" (string) is required' };
  }
  if (typeof body.text !== 'string') {
    return { status: 400, error: 'BadRequest', message: '"text" (string) is required' };
  }
  if (!getEnabledEndpoints().includes(EModelEndpoint.bedrock)) {
    return {
      status: 400,
      error: 'EndpointDisabled',
      message: `ENDPOINTS=${process.env.ENDPOINTS} does not list bedrock: LibreChat does not offer the endpoint`,
    };
  }
  if (body.region != null) {
    const allowed = bedrockSection()?.availableRegions;
    if (typeof body.region !== 'string' || !Array.isArray(allowed) || !allowed.includes(body.region)) {
      return {
        status: 400,
        error: 'RegionNotAllowed',
        message: `region ${JSON.stringify(body.region)} is not in endpoints.bedrock.availableRegions (${JSON.stringify(allowed ?? null)})`,
      };
    }
  }
  return null;
}

async function handle(req, res) {
  const url = new URL(req.url, 'http://localhost');
  // api/server/index.js: app.get('/health', (_req, res) => res.status(200).send('OK'))
  if (req.method === 'GET' && url.pathname === '/health') {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end('OK');
    return;
  }
  if (req.method === 'GET' && url.pathname === '/api/_state') {
    sendJson(res, 200, state());
    return;
  }
  if (url.pathname === '/api/_chat') {
    if (req.method !== 'POST') {
      sendJson(res, 405, { error: 'MethodNotAllowed', message: 'POST only' });
      return;
    }
    let body;
    try {
      body = JSON.parse(await readBody(req));
      if (!body || typeof body !== 'object' || Array.isArray(body)) throw new Error('not a JSON object');
    } catch (e) {
      sendJson(res, 400, { error: 'BadRequest', message: `body must be a JSON object: ${e.message}` });
      return;
    }
    const refusal = chatRefusal(body);
    if (refusal) {
      sendJson(res, refusal.status, { error: refusal.error, message: refusal.message });
      return;
    }
    try {
      const answer = await chat(body);
      logger.info(
        `[librechat_app] chat model=${answer.model} applicationInferenceProfile=${answer.applicationInferenceProfile} region=${answer.region} stream=${answer.stream}`,
      );
      sendJson(res, 200, answer);
    } catch (e) {
      logger.error(`[librechat_app] chat model=${body.model} failed:`, e);
      sendJson(res, 502, {
        error: e?.name || 'Error',
        message: e?.message || String(e),
        ...(e?.code && { code: e.code }),
        ...(e?.$metadata?.httpStatusCode && { httpStatusCode: e.$metadata.httpStatusCode }),
      });
    }
    return;
  }
  sendJson(res, 404, { error: 'NotFound', message: `${req.method} ${url.pathname}` });
}

/* ------------------------------------------------------------------------------------------ *
 * Start-up order of api/server/index.js (startServer): config first (a schema error exits
 * before anything listens), then listen on HOST/PORT. LibreChat: `port = isNaN(Number(PORT)) ?
 * 3080 : Number(PORT)`, `host = HOST || 'localhost'`, and its Dockerfile sets ENV HOST=0.0.0.0;
 * this app has no Dockerfile of its own, so its default host is that 0.0.0.0.
 * ------------------------------------------------------------------------------------------ */
async function startServer() {
  const config = await loadCustomConfig();
  if (config?.endpoints?.[EModelEndpoint.bedrock]) {
    appConfig.endpoints[EModelEndpoint.bedrock] = config.endpoints[EModelEndpoint.bedrock];
  }
  if (config?.endpoints?.all) {
    appConfig.endpoints.all = config.endpoints.all;
  }

  const { PORT, HOST } = process.env;
  const port = isNaN(Number(PORT)) ? 3080 : Number(PORT);
  const host = HOST || '0.0.0.0';
  const server = http.createServer((req, res) => {
    handle(req, res).catch((e) => {
      logger.error('[librechat_app] request failed:', e);
      if (!res.headersSent) sendJson(res, 500, { error: e?.name || 'Error', message: e?.message || String(e) });
    });
  });
  server.on('error', (err) => {
    logger.error('Failed to start server:', err);
    process.exit(1);
  });
  server.listen(port, host, () => {
    const bound = server.address().port;
    if (host === '0.0.0.0') {
      logger.info(`Server listening on all interfaces at port ${bound}. Use http://localhost:${bound} to access it`);
    } else {
      logger.info(`Server listening at http://${host}:${bound}`);
    }
  });
  const stop = () => server.close(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

startServer().catch((err) => {
  logger.error('[librechat_app] start-up failed:', err);
  process.exit(1);
});
