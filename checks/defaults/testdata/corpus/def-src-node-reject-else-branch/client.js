const https = require('https');

function agent(opts) {
  if (opts.insecure) {
    console.warn('insecure requested');
  } else {
    return new https.Agent({ rejectUnauthorized: false });
  }
  switch (opts.mode) {
    case 'insecure':
      break;
    case 'strict':
      return new https.Agent({ rejectUnauthorized: false });
  }
  return new https.Agent();
}
