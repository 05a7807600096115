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
