new https.Agent({ rejectUnauthorized: false });
