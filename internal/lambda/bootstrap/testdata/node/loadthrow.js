throw new TypeError('the configuration is missing');
