const https = require('https');
https.createServer(opts, app).listen(8443);
