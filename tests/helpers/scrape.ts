import http from 'node:http';
import { parsePrometheusText, type Family } from './promText.js';

export interface HttpAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/**
 * GET `path` of `baseUrl` with node:http, so that the test chooses the connection's own source
 * address (`localAddress`, e.g. 127.0.0.2) and every header.
 */
export function httpGet(baseUrl: string, path: string, options: { localAddress?: string; headers?: Record<string, string> } = {}): Promise<HttpAnswer> {
  const url = new URL(path, baseUrl);
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method: 'GET', localAddress: options.localAddress, headers: options.headers, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** GET /metrics from 127.0.0.1 (OPS-1: no key needed), parsed; throws on any status but 200. */
export async function scrape(baseUrl: string): Promise<Map<string, Family>> {
  const answer = await httpGet(baseUrl, '/metrics');
  if (answer.status !== 200) throw new Error(`GET /metrics: ${answer.status} ${answer.body.slice(0, 200)}`);
  return parsePrometheusText(answer.body);
}
