// An ES module handler: async, and throwing.
export const handler = async (event, context) => ({ kind: 'esm', echo: event, requestId: context.awsRequestId });

export const throws = async () => {
  throw new Error('boom');
};
