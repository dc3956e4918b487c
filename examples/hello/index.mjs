// An HTTP API handler (payload 2.0), run by Portico's built-in Node.js
// runtime: portico serve --function hello=node:examples/hello/index.handler
export const handler = async (event, context) => {
  const name = event.pathParameters?.name ?? "world";
  console.log("greeting", name);
  return {
    statusCode: 200,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ hello: name, requestId: context.awsRequestId }),
  };
};
