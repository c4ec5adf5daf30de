// rejectUnauthorized: false
const agent = new https.Agent({ rejectUnauthorized: true });
