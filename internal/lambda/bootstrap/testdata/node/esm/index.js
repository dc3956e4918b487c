// A .js file that is an ES module by its package.json.
export const handler = async (event) => ({ kind: 'esm-js', echo: event, meta: typeof import.meta.url });
