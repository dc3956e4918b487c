// CommonJS handlers for the Node.js runtime's tests, one export per case.
console.log('loading handlers.js');

// A plain function returning a promise (not an async function).
exports.promise = (event) => Promise.resolve({ kind: 'promise', echo: event });

exports.callback = (event, context, callback) => {
  callback(null, { kind: 'callback', echo: event });
};

exports.callbackError = (event, context, callback) => {
  callback(new Error('callback failed'));
};

// The answer is serialized when it is posted: with the default
// callbackWaitsForEmptyEventLoop the timer has run by then.
exports.waits = (event, context, callback) => {
  const answer = { v: 'early' };
  callback(null, answer);
  setTimeout(() => { answer.v = 'late'; }, 20);
};

exports.noWait = (event, context, callback) => {
  context.callbackWaitsForEmptyEventLoop = false;
  const answer = { v: 'early' };
  callback(null, answer);
  setTimeout(() => { answer.v = 'late'; }, 20);
};

// Answers nothing and leaves nothing to do: the invocation's result is null.
exports.noAnswer = () => {};

exports.throwString = () => {
  throw 'boom';
};

class NotFound extends Error {
  constructor(message) {
    super(message);
    this.name = 'NotFound';
  }
}
exports.custom = async () => {
  throw new NotFound('no such order');
};

exports.context = async (event, context) => ({
  awsRequestId: context.awsRequestId,
  invokedFunctionArn: context.invokedFunctionArn,
  functionName: context.functionName,
  functionVersion: context.functionVersion,
  memoryLimitInMB: context.memoryLimitInMB,
  logGroupName: context.logGroupName,
  logStreamName: context.logStreamName,
  callbackWaitsForEmptyEventLoop: context.callbackWaitsForEmptyEventLoop,
  clientContext: context.clientContext,
  identity: context.identity,
  remaining: context.getRemainingTimeInMillis(),
  traceId: process.env._X_AMZN_TRACE_ID,
  executionEnv: process.env.AWS_EXECUTION_ENV,
});

exports.log = async (event) => {
  console.log('hello %s', event.name);
  console.error('two\nlines');
  console.warn({ a: 1 });
  process.stdout.write('raw stdout\n');
  return 'logged';
};

exports.uncaught = (event, context, callback) => {
  setTimeout(() => { throw new Error('thrown from a timer'); }, 1);
};

exports.unhandled = async () => {
  Promise.reject(new Error('nobody waits for me'));
  await new Promise((resolve) => setTimeout(resolve, 1000));
  return 'too late';
};

exports.nested = { get: async () => 'nested get' };

exports.notAFunction = 42;
