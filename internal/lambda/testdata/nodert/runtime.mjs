// A minimal custom runtime on Node's fetch (undici), to check the manager
// with another HTTP client than Go's: it echoes the event with the
// invocation's request id, and logs a line per invocation.
const api = `http://${process.env.AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime`;
console.log("node runtime ready");
for (;;) {
  const next = await fetch(`${api}/invocation/next`);
  const id = next.headers.get("lambda-runtime-aws-request-id");
  const event = await next.json();
  console.log(`node handling ${id}`);
  const [path, body] = event.fail
    ? ["error", { errorMessage: "failed in node", errorType: "Error", stackTrace: ["at handler"] }]
    : ["response", { runtime: "node", id, event }];
  const res = await fetch(`${api}/invocation/${id}/${path}`, { method: "POST", body: JSON.stringify(body) });
  await res.text();
  if (res.status !== 202) {
    console.error(`answer refused: ${res.status}`);
    process.exit(1);
  }
}
