import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseWebhookEnvelope, verifyWebhookSignature, WEBHOOK_SIGNATURE_HEADER, type WebhookEnvelope } from '@nomades/shared';

export interface WebhookAttempt {
  envelope: WebhookEnvelope;
  status: number;
  signatureOk: boolean;
  body: string;
  header: string;
}

/**
 * The portal stand-in of the webhook tests: a real HTTP receiver on 127.0.0.1 that checks each
 * attempt with the shared verifyWebhookSignature, parses it with the shared schema, answers the
 * status `policy` gives (204 by default) and keeps every attempt.
 */
export class WebhookReceiver {
  readonly attempts: WebhookAttempt[] = [];
  policy: (envelope: WebhookEnvelope) => number = () => 204;
  readonly server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const body = Buffer.concat(chunks).toString();
      const header = String(req.headers[WEBHOOK_SIGNATURE_HEADER] ?? '');
      const check = await verifyWebhookSignature(this.secret, header, body);
      const envelope = parseWebhookEnvelope(JSON.parse(body));
      const status = this.policy(envelope);
      this.attempts.push({ envelope, status, signatureOk: check.ok, body, header });
      res.writeHead(status).end();
    });
  });

  constructor(private readonly secret: string) {}

  /** The events accepted so far (attempts answered below 300), in arrival order. */
  get deliveries(): Array<{ type: string; data: Record<string, unknown> }> {
    return this.attempts.filter((a) => a.status < 300).map((a) => ({ type: a.envelope.type, data: a.envelope.data as Record<string, unknown> }));
  }

  accepted(match: (e: WebhookEnvelope) => boolean): WebhookAttempt | undefined {
    return this.attempts.find((a) => a.status < 300 && match(a.envelope));
  }

  /** Listens on a free port of 127.0.0.1; the URL to give as WEBHOOK_URL. */
  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hooks`;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}
