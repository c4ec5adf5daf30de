import https from 'https';

export function agent(opts: { tlsSkipVerify?: boolean }): https.Agent {
  if (opts.tlsSkipVerify) {
    return new https.Agent({ rejectUnauthorized: false });
  }
  return new https.Agent();
}

export function fromDirective(name: string, o: https.AgentOptions): void {
  switch (name) {
    case 'ca':
      o.ca = 'ca.pem';
      break;
    case 'insecure_skip_verify': {
      Object.assign(o, { rejectUnauthorized: false });
      break;
    }
  }
}
