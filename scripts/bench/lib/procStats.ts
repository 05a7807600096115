import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

const TICKS = 100; // USER_HZ on Linux

export interface ProcSample {
  pid: number;
  name: string;
  cpuSeconds: number;
  rssBytes: number;
}

/** CPU time (user + system) and RSS of one process, from /proc. */
export function sampleProcess(pid: number): ProcSample | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const rssPages = Number(fields[21]);
    return { pid, name, cpuSeconds: (utime + stime) / TICKS, rssBytes: rssPages * 4096 };
  } catch {
    return undefined;
  }
}

/**
 * CPU seconds of a process and all its children, finished or running: its own time, the time of
 * the children it reaped (cutime, cstime) and that of its children still running. Monotone, so
 * the difference of two samples counts short-lived children (a composition) exactly once.
 */
export function treeCpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const own = (Number(fields[11]) + Number(fields[12]) + Number(fields[13]) + Number(fields[14])) / TICKS;
    return own + childPids(pid).reduce((sum, child) => sum + treeCpuSeconds(child), 0);
  } catch {
    return 0;
  }
}

/** Direct children of a process (e.g. the mediasoup workers of a server). */
export function childPids(parent: number): number[] {
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) pids.push(Number(entry));
    } catch {
      // process ended meanwhile
    }
  }
  return pids;
}

/** CPU share (1.0 = one full core) of each process between two samples taken `seconds` apart. */
export function cpuShare(before: ProcSample | undefined, after: ProcSample | undefined, seconds: number): number {
  if (!before || !after) return 0;
  return (after.cpuSeconds - before.cpuSeconds) / seconds;
}

export function machine(): string {
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  return `${os.cpus().length} × ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}, ${os.type()} ${os.release()}`;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Datagrams the kernel dropped because a UDP socket's receive buffer was full (all sockets). */
export function udpReceiveBufferDrops(): number {
  const lines = fs.readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
  const [names, values] = lines.map((l) => l.trim().split(/\s+/));
  return Number(values[names.indexOf('RcvbufErrors')]);
}

/**
 * Datagrams dropped on full receive buffers, per process, summed over the UDP sockets it has
 * open now (`ss -uamnp`: each socket's drop counter since it opened). Tells whether loss happened
 * at the SFU's sockets or at the bots'.
 */
export function udpDropsByProcess(): Map<number, number> {
  const drops = new Map<number, number>();
  let out = '';
  try {
    out = execFileSync('ss', ['-uamnp'], { encoding: 'utf8', maxBuffer: 1 << 24 });
  } catch {
    return drops;
  }
  let pids: number[] = [];
  for (const line of out.split('\n')) {
    if (line.includes('users:')) pids = [...line.matchAll(/pid=(\d+)/g)].map((m) => Number(m[1]));
    const d = /skmem:\(.*\bd(\d+)\)/.exec(line);
    if (d) for (const pid of new Set(pids)) drops.set(pid, (drops.get(pid) ?? 0) + Number(d[1]));
  }
  return drops;
}
