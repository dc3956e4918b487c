const missing = require('does-not-exist');
exports.handler = async () => missing;
