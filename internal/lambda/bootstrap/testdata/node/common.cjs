module.exports.handler = async (event) => ({ kind: 'cjs', echo: event });
