import { Worker } from 'node:worker_threads';

/**
 * UDP sockets that note the arrival time of RTP packets in a thread of their own: the stamps do
 * not wait for the main thread's work (the benchmark's sender and its timers). Each socket expects
 * the RTP of one SSRC (`expect`, once its consumer exists) and reads a 32-bit counter at
 * `offset` of the payload (after the header, its CSRCs and extensions); padding-only packets
 * (mediasoup's probation) and other SSRCs (RTX) are skipped. Times are process.hrtime in ms,
 * one monotonic clock for every thread of the process.
 */
export class UdpStamper {
  readonly ports: number[];
  readonly #worker: Worker;
  #stopped?: Promise<Array<Map<number, number>>>;

  private constructor(worker: Worker, ports: number[]) {
    this.#worker = worker;
    this.ports = ports;
  }

  static async create(sockets: number, ip: string, offset: number): Promise<UdpStamper> {
    const worker = new Worker(WORKER_CODE, { eval: true, workerData: { sockets, ip, offset } });
    const ports = await new Promise<number[]>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    return new UdpStamper(worker, ports);
  }

  /** From now on, socket `index` counts the RTP of `ssrc`. */
  expect(index: number, ssrc: number): void {
    this.#worker.postMessage({ type: 'expect', index, ssrc });
  }

  /** Stops (idempotent); per socket, counter → arrival (ms, process.hrtime clock). */
  stop(): Promise<Array<Map<number, number>>> {
    this.#stopped ??= (async () => {
      this.#worker.postMessage({ type: 'stop' });
      const arrivals = await new Promise<Array<Array<[number, number]>>>((resolve) => this.#worker.once('message', resolve));
      await this.#worker.terminate();
      return arrivals.map((entries) => new Map(entries));
    })();
    return this.#stopped;
  }
}

/** The send time of a packet on the same clock. */
export const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

const WORKER_CODE = `
const dgram = require('node:dgram');
const { parentPort, workerData } = require('node:worker_threads');
const { sockets: count, ip, offset } = workerData;
const ssrcs = new Array(count).fill(-1);
const arrivals = Array.from({ length: count }, () => new Map());
const sockets = [];
let bound = 0;
for (let i = 0; i < count; i++) {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (msg) => {
    const at = Number(process.hrtime.bigint()) / 1e6;
    if (msg.length < 12 || (msg[1] >= 192 && msg[1] <= 223) || msg[0] & 0x20) return;
    if (msg.readUInt32BE(8) !== ssrcs[i]) return;
    let start = 12 + (msg[0] & 0x0f) * 4;
    if (msg[0] & 0x10) start += 4 + msg.readUInt16BE(start + 2) * 4;
    if (msg.length < start + offset + 4) return;
    const counter = msg.readUInt32BE(start + offset);
    if (!arrivals[i].has(counter)) arrivals[i].set(counter, at);
  });
  socket.bind(0, ip, () => {
    socket.setRecvBufferSize(4 * 1024 * 1024);
    if (++bound === count) parentPort.postMessage(sockets.map((s) => s.address().port));
  });
  sockets.push(socket);
}
parentPort.on('message', (m) => {
  if (m.type === 'expect') ssrcs[m.index] = m.ssrc;
  if (m.type === 'stop') {
    for (const s of sockets) s.close();
    parentPort.postMessage(arrivals.map((a) => [...a]));
  }
});
`;
