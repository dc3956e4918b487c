// Portico's runtime for Node.js handlers.
//
// Portico starts `node` on this file with the environment of a Lambda
// function; it loads the handler named by _HANDLER and runs it once per
// invocation it takes from the Lambda Runtime API at
// $AWS_LAMBDA_RUNTIME_API, the way Lambda's managed Node.js runtime does:
//
//   GET  /2018-06-01/runtime/invocation/next          the next event
//   POST /2018-06-01/runtime/invocation/{id}/response  its result
//   POST /2018-06-01/runtime/invocation/{id}/error     its failure
//   POST /2018-06-01/runtime/init/error                a failure to load
//
// Behaviour follows AWS's documentation (docs.aws.amazon.com/lambda/latest/dg/
// runtimes-api.html, nodejs-handler.html, nodejs-context.html,
// nodejs-exceptions.html, nodejs-logging.html). Written for Portico with
// Node's built-in modules only; not a copy of AWS's runtime interface client.

import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import util from 'node:util';

const RUNTIME = '/2018-06-01/runtime';
const env = process.env;

// As Lambda's: AWS_Lambda_nodejs20.x under Node 20. Libraries read it to
// tell that they run in Lambda.
env.AWS_EXECUTION_ENV ??= `AWS_Lambda_nodejs${process.versions.node.split('.')[0]}.x`;

// ---- logging -------------------------------------------------------------
//
// console.* lines go to stdout as Lambda's Node.js runtime writes them:
// "{ISO time}\t{request id}\t{LEVEL}\t{message}", a message's own newlines
// turned into carriage returns so that one call stays one log line. Before
// the first invocation the request id prints as "undefined", as on Lambda.

let currentRequestId;

function writeLog(level, args) {
  const line = `${new Date().toISOString()}\t${currentRequestId}\t${level}\t${util.format(...args)}`;
  process.stdout.write(line.replace(/\n/g, '\r') + '\n');
}

for (const [method, level] of [['log', 'INFO'], ['info', 'INFO'], ['warn', 'WARN'],
  ['error', 'ERROR'], ['debug', 'DEBUG'], ['trace', 'TRACE']]) {
  console[method] = (...args) => writeLog(level, args);
}

// ---- errors ----------------------------------------------------------------

// runtimeError is an Error whose name is one of Lambda's runtime error
// types (Runtime.ImportModuleError, ...); its stack starts with that name.
function runtimeError(type, message) {
  const err = new Error(message);
  err.name = type;
  Error.captureStackTrace(err, runtimeError);
  return err;
}

// errorBody is the error document Lambda's Node.js runtime reports:
// {errorType, errorMessage, trace: [stack lines]} for an Error, and the
// type of anything else thrown ("string" for throw "boom").
function errorBody(err) {
  try {
    if (util.types.isNativeError(err) || err instanceof Error) {
      return {
        errorType: String(err.name),
        errorMessage: String(err.message),
        trace: typeof err.stack === 'string' ? err.stack.split('\n') : [],
      };
    }
    return { errorType: typeof err, errorMessage: String(err), trace: [] };
  } catch {
    return { errorType: 'handled', errorMessage: 'the error thrown could not be read (its name, message or stack threw)', trace: [] };
  }
}

// logError writes the error to the function's log as Lambda does
// ("Invoke Error", "Uncaught Exception", ...).
function logError(what, body) {
  const { trace, ...rest } = body;
  console.error(what, '\t' + JSON.stringify({ ...rest, stack: trace }));
}

// A header value must be printable ASCII; an error's name need not be.
function headerValue(s) {
  return String(s).replace(/[^\x20-\x7e]/g, (c) => encodeURIComponent(c));
}

// ---- the Runtime API -----------------------------------------------------

const apiAddress = env.AWS_LAMBDA_RUNTIME_API;
if (!apiAddress) {
  process.stderr.write('portico node runtime: AWS_LAMBDA_RUNTIME_API is not set\n');
  process.exit(1);
}
const apiURL = new URL('http://' + apiAddress);
const apiHost = apiURL.hostname.replace(/^\[(.*)\]$/, '$1');
// One connection, kept open between calls. An idle kept-alive socket does
// not hold the event loop open, which the beforeExit logic below needs.
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

function call(method, urlPath, body, headers = {}, retried = false) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: apiHost, port: apiURL.port, path: urlPath, method, agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', (err) => {
      // The kept-open connection was closed by the other side as this
      // request went out on it: one try on a new one (Node's documented
      // pattern, request.reusedSocket).
      if (!retried && req.reusedSocket && err.code === 'ECONNRESET') {
        call(method, urlPath, body, headers, true).then(resolve, reject);
      } else {
        reject(err);
      }
    });
    req.end(body);
  });
}

async function post(urlPath, body, headers) {
  const res = await call('POST', urlPath, body, { 'Content-Type': 'application/json', ...headers });
  if (res.status !== 202) {
    // The platform has settled the invocation its own way (a response too
    // large, an invocation already timed out): say so, and carry on.
    process.stderr.write(`portico node runtime: POST ${urlPath} answered ${res.status}: ${res.body}\n`);
  }
}

async function postResult(id, result) {
  return post(`${RUNTIME}/invocation/${id}/response`, JSON.stringify(result === undefined ? null : result));
}

function postError(urlPath, err) {
  const body = errorBody(err);
  return post(urlPath, JSON.stringify(body), { 'Lambda-Runtime-Function-Error-Type': headerValue(body.errorType) });
}

async function next() {
  const res = await call('GET', `${RUNTIME}/invocation/next`);
  if (res.status !== 200) {
    throw new Error(`GET ${RUNTIME}/invocation/next answered ${res.status}: ${res.body}`);
  }
  return res;
}

// ---- loading the handler -------------------------------------------------

// _HANDLER is "dir/file.export" relative to LAMBDA_TASK_ROOT; the export may
// be nested ("index.handlers.get"). The file is file.js (CommonJS, or an ES
// module when the nearest package.json says "type": "module"), file.mjs or
// file.cjs, looked for in that order; else a package of that name in
// node_modules.
async function loadHandler(handlerString, taskRoot) {
  if (!handlerString) {
    throw runtimeError('Runtime.MalformedHandlerName', 'Bad handler');
  }
  if (handlerString.includes('..')) {
    throw runtimeError('Runtime.MalformedHandlerName', "'..' is not allowed in handler name.");
  }
  const slash = handlerString.lastIndexOf('/');
  const moduleRoot = handlerString.slice(0, slash + 1);
  const rest = handlerString.slice(slash + 1);
  const dot = rest.indexOf('.');
  if (dot <= 0 || dot === rest.length - 1) {
    throw runtimeError('Runtime.MalformedHandlerName', 'Bad handler');
  }
  const moduleName = rest.slice(0, dot);
  const moduleDir = path.resolve(taskRoot, moduleRoot);
  const mod = await loadModule(moduleDir, moduleName);

  let fn = mod;
  for (const key of rest.slice(dot + 1).split('.')) {
    fn = fn == null ? undefined : fn[key];
  }
  if (fn === undefined || fn === null) {
    throw runtimeError('Runtime.HandlerNotFound', `${handlerString} is undefined or not exported`);
  }
  if (typeof fn !== 'function') {
    throw runtimeError('Runtime.HandlerNotFound', `${handlerString} is not a function`);
  }
  return fn;
}

async function loadModule(moduleDir, moduleName) {
  const base = path.join(moduleDir, moduleName);
  const require = createRequire(import.meta.url);
  try {
    if (isFile(base + '.js')) {
      return packageType(moduleDir) === 'module' ? await importFile(base + '.js') : require(base + '.js');
    }
    if (isFile(base + '.mjs')) {
      return await importFile(base + '.mjs');
    }
    if (isFile(base + '.cjs')) {
      return require(base + '.cjs');
    }
    return require(require.resolve(moduleName, { paths: [moduleDir] }));
  } catch (err) {
    if (err instanceof SyntaxError) {
      throw runtimeError('Runtime.UserCodeSyntaxError', String(err));
    }
    if (err && (err.code === 'MODULE_NOT_FOUND' || err.code === 'ERR_MODULE_NOT_FOUND')) {
      throw runtimeError('Runtime.ImportModuleError', String(err));
    }
    throw err;
  }
}

function importFile(file) {
  return import(pathToFileURL(file).href);
}

function isFile(p) {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

// packageType is the "type" of the nearest package.json, as Node decides
// whether a .js file is an ES module.
function packageType(dir) {
  for (let d = dir; ; d = path.dirname(d)) {
    const file = path.join(d, 'package.json');
    if (isFile(file)) {
      try {
        return JSON.parse(fs.readFileSync(file, 'utf8')).type || 'commonjs';
      } catch {
        return 'commonjs';
      }
    }
    if (path.dirname(d) === d) {
      return 'commonjs';
    }
  }
}

// ---- one invocation --------------------------------------------------------

// onEmptyLoop runs when the event loop has nothing left to do (Node's
// beforeExit): a callback handler's answer waits for it while
// context.callbackWaitsForEmptyEventLoop is true, and a handler that never
// answers at all answers null then, as on Lambda.
let onEmptyLoop = null;
process.on('beforeExit', () => {
  const f = onEmptyLoop;
  onEmptyLoop = null;
  if (f) f();
});

// inFlight is the invocation running now: a crash is reported to it.
let inFlight = null;

function jsonHeader(value) {
  if (value === undefined) return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

function invoke(handler, res) {
  const h = res.headers;
  const id = h['lambda-runtime-aws-request-id'];
  const deadline = Number(h['lambda-runtime-deadline-ms']);
  currentRequestId = id;
  if (h['lambda-runtime-trace-id']) {
    env._X_AMZN_TRACE_ID = h['lambda-runtime-trace-id'];
  } else {
    delete env._X_AMZN_TRACE_ID;
  }

  return new Promise((done) => {
    let finished = false;
    const finish = (failed, value) => {
      if (finished) return;
      finished = true;
      onEmptyLoop = null;
      inFlight = null;
      let sent;
      if (failed) {
        logError('Invoke Error', errorBody(value));
        sent = postError(`${RUNTIME}/invocation/${id}/error`, value);
      } else {
        sent = postResult(id, value).catch((err) => {
          // JSON.stringify failed (a cycle, a BigInt): that is the
          // handler's failure.
          if (err instanceof TypeError) return postError(`${RUNTIME}/invocation/${id}/error`, err);
          throw err;
        });
      }
      sent.then(done, fatal);
    };
    const succeed = (result) => finish(false, result);
    const fail = (err) => finish(true, err);
    inFlight = { id, fail };

    const context = {
      callbackWaitsForEmptyEventLoop: true,
      functionName: env.AWS_LAMBDA_FUNCTION_NAME,
      functionVersion: env.AWS_LAMBDA_FUNCTION_VERSION,
      invokedFunctionArn: h['lambda-runtime-invoked-function-arn'],
      memoryLimitInMB: env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      awsRequestId: id,
      logGroupName: env.AWS_LAMBDA_LOG_GROUP_NAME,
      logStreamName: env.AWS_LAMBDA_LOG_STREAM_NAME,
      identity: jsonHeader(h['lambda-runtime-cognito-identity']),
      clientContext: jsonHeader(h['lambda-runtime-client-context']),
      // [I] never below 0: past the deadline there is no time left.
      getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
      // The callback API's older spellings, still honoured by Lambda.
      succeed,
      fail,
      done: (err, result) => (err !== undefined && err !== null ? fail(err) : succeed(result)),
    };
    const callback = (err, result) => {
      const answer = () => (err !== undefined && err !== null ? fail(err) : succeed(result));
      if (context.callbackWaitsForEmptyEventLoop) {
        onEmptyLoop = answer;
      } else {
        answer();
      }
    };
    onEmptyLoop = () => succeed(null);

    try {
      // [I] An empty payload is the empty object, as Invoke gives a
      // function called without one.
      const event = res.body.trim() === '' ? {} : JSON.parse(res.body);
      const ret = handler(event, context, callback);
      if (ret && typeof ret.then === 'function') {
        ret.then(succeed, fail);
      }
    } catch (err) {
      fail(err);
    }
  });
}

// ---- crashes -------------------------------------------------------------
//
// An exception nobody caught, or a rejected promise nobody handled, ends the
// process as on Lambda: the error goes to the invocation running (or to
// /init/error while loading), then the process exits and the next
// invocation starts a fresh one.

let initializing = true;

function crash(err, code) {
  const body = errorBody(err);
  logError(body.errorType === 'Runtime.UnhandledPromiseRejection' ? 'Unhandled Promise Rejection' : 'Uncaught Exception', body);
  let report = Promise.resolve();
  if (initializing) {
    report = postError(`${RUNTIME}/init/error`, err);
  } else if (inFlight) {
    report = postError(`${RUNTIME}/invocation/${inFlight.id}/error`, err);
  }
  report.finally(() => process.exit(code));
}

process.on('uncaughtException', (err) => crash(err, 129));
process.on('unhandledRejection', (reason) => {
  const message = util.types.isNativeError(reason) ? `${reason.name}: ${reason.message}` : String(reason);
  crash(runtimeError('Runtime.UnhandledPromiseRejection', message), 128);
});

function fatal(err) {
  process.stderr.write(`portico node runtime: ${err && err.stack ? err.stack : err}\n`);
  process.exit(1);
}

// ---- main ------------------------------------------------------------------

async function main() {
  let handler;
  try {
    handler = await loadHandler(env._HANDLER, env.LAMBDA_TASK_ROOT || process.cwd());
  } catch (err) {
    const body = errorBody(err);
    logError('Uncaught Exception', body);
    await postError(`${RUNTIME}/init/error`, err);
    process.exit(129);
  }
  initializing = false;
  for (;;) {
    await invoke(handler, await next());
  }
}

main().catch(fatal);
