// A WebSocket chat handler as AWS's samples write one: it keeps nothing
// but the connection ids it is told about (in memory: one process, enough
// for a local demo), and broadcasts each message through the management
// API at https://{domainName}/{stage}, the endpoint the samples build.
import { ApiGatewayManagementApiClient, PostToConnectionCommand } from "@aws-sdk/client-apigatewaymanagementapi";

const connections = new Set();

export const handler = async (event) => {
  const { routeKey, connectionId, domainName, stage } = event.requestContext;
  if (routeKey === "$connect") {
    connections.add(connectionId);
    return { statusCode: 200 };
  }
  if (routeKey === "$disconnect") {
    connections.delete(connectionId);
    return { statusCode: 200 };
  }
  const client = new ApiGatewayManagementApiClient({ endpoint: "https://" + domainName + "/" + stage });
  const text = JSON.parse(event.body).message ?? "";
  connections.add(connectionId);
  await Promise.all([...connections].map(async (id) => {
    try {
      await client.send(new PostToConnectionCommand({ ConnectionId: id, Data: JSON.stringify({ from: connectionId, text }) }));
    } catch (err) {
      if (err.name === "GoneException") connections.delete(id);
      else throw err;
    }
  }));
  return { statusCode: 200 };
};
