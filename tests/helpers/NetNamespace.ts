import { execFile } from 'node:child_process';
import fs from 'node:fs';

/**
 * Every namespace and veth this harness makes is named `nvt-<pid>-<index>`: the namespace, its
 * router namespace (suffix `r`) and the veth ends (suffixes `h`, `a`, `b`, `n`).
 */
const PREFIX = 'nvt-';
const NAME = /^nvt-(\d+)-(\d+)r?$/;
const LINK = /^nvt-(\d+)-(\d+)[a-z]$/;
/**
 * Test addresses, 10.213.<index>.0/29, used nowhere else: host .1 and router .2 on the host's pair
 * (a /30), router .5 and namespace .6 on the namespace's pair (the next /30).
 */
const SUBNET_BASE = '10.213';
const MAX_INDEX = 64;
const COMMAND_TIMEOUT_MS = 10_000;

export interface ExecResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Killed by the timeout. */
  timedOut: boolean;
}

/** What the namespace's firewall lets through its veth end (lo is never filtered). */
export type FirewallRule =
  /** Nothing in or out. */
  | { drop: 'all' }
  /** No UDP in or out (TCP and the rest pass). */
  | { drop: 'udp' }
  /** Only TCP to (and back from) this port of the host end; everything else dropped. */
  | { onlyTcpPort: number }
  /** Only TCP to (and back from) these ports of the host end; everything else dropped. */
  | { onlyTcpPorts: number[] }
  /** Each packet, in or out, dropped with this probability (0 < p < 1), before any other rule. */
  | { loss: number };

export interface BandwidthLimit {
  /** From the namespace to the host (tbf on the namespace's veth end), kbit/s. */
  upKbit?: number;
  /** From the host to the namespace (tbf on the host's veth end), kbit/s. */
  downKbit?: number;
  /** tbf latency: how long a packet may wait in the bucket before being dropped (default 200 ms). */
  latencyMs?: number;
}

/** Runs a command; never throws for a non-zero exit (see `code`), rejects only if it cannot be started. */
function run(command: string, args: string[], options: { timeoutMs?: number; input?: string } = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(command, args, { timeout: options.timeoutMs ?? COMMAND_TIMEOUT_MS, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      const e = error as (NodeJS.ErrnoException & { killed?: boolean; code?: number | string }) | null;
      if (e && typeof e.code === 'string') return reject(e); // ENOENT and the like: not started
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : null) : 0, stdout: String(stdout), stderr: String(stderr), timedOut: Boolean(e?.killed) });
    });
    if (options.input !== undefined) child.stdin!.end(options.input);
  });
}

/** Runs a command that must succeed. */
async function must(command: string, args: string[], input?: string): Promise<string> {
  const r = await run(command, args, { input });
  if (r.code !== 0) throw new Error(`${command} ${args.join(' ')} failed (${r.timedOut ? 'timed out' : `exit ${r.code}`}): ${r.stderr.trim()}`);
  return r.stdout;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function namespaceNames(): Promise<string[]> {
  return (await must('ip', ['netns', 'list'])).split('\n').map((l) => l.split(' ')[0]).filter((n) => n.startsWith(PREFIX));
}

async function linkNames(): Promise<string[]> {
  return (await must('ip', ['-o', 'link', 'show']))
    .split('\n')
    .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1] ?? '')
    .filter((n) => n.startsWith(PREFIX));
}

/** Kills the processes still inside a namespace this harness made (a browser a test left), then deletes it. */
async function removeNamespace(name: string): Promise<void> {
  const pids = (await run('ip', ['netns', 'pids', name])).stdout.split('\n').filter((p) => /^\d+$/.test(p));
  for (const pid of pids) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {}
  }
  await run('ip', ['netns', 'del', name]);
}

/**
 * A network namespace behind a router namespace, joined to the host by veth pairs: the browser's
 * "home network" in field tests.
 *
 *     host (root ns) ─ h ══ a ─ router ns ─ b ══ n ─ namespace
 *     10.213.<i>.1           .2        .5          .6
 *
 * Whatever runs inside (exec(), a browser started with `ip netns exec name`) reaches only the host's
 * address (and the router). The firewall (iptables-legacy, FORWARD chain of the router) and the
 * bandwidth limits (tc tbf on the router's two ends) sit on the router, as on a real home router, so
 * a dropped packet is lost silently: the sender's system call succeeds (a drop on the sender's own
 * OUTPUT chain would fail it with EPERM, which no real firewall does). cut()/restore() make an
 * outage. close() is idempotent and removes everything; create() first removes what a crashed
 * run left. Needs root, iproute2 and iptables (scripts/setup.sh installs them).
 */
export class NetNamespace {
  static #next = 0;
  #rules: FirewallRule[] = [];
  #cut = false;
  #closing?: Promise<void>;

  private constructor(
    /** Namespace name, for `ip netns exec`. */
    readonly name: string,
    readonly index: number,
  ) {}

  /** The router namespace between the host and the namespace. */
  get routerName(): string {
    return `${this.name}r`;
  }

  /** The host's end of the host–router pair (root namespace). */
  get hostInterface(): string {
    return `${this.name}h`;
  }

  /** The router's uplink (to the host): tbf here limits what goes up. */
  get routerUplink(): string {
    return `${this.name}a`;
  }

  /** The router's LAN end (to the namespace): tbf here limits what comes down. */
  get routerLan(): string {
    return `${this.name}b`;
  }

  /** The namespace's own interface. */
  get namespaceInterface(): string {
    return `${this.name}n`;
  }

  /** The host's address on the pair: the one a server must listen on to be reached from inside. */
  get hostAddress(): string {
    return `${SUBNET_BASE}.${this.index}.1`;
  }

  /** The namespace's own address (what the server sees as the browser's address). */
  get namespaceAddress(): string {
    return `${SUBNET_BASE}.${this.index}.6`;
  }

  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /** Whether iptables-legacy, ip and tc are there (the field tests need them). */
  static async available(): Promise<boolean> {
    try {
      return (await run('iptables-legacy', ['--version'])).code === 0 && (await run('tc', ['-V'])).code === 0 && (await run('ip', ['-V'])).code === 0;
    } catch {
      return false;
    }
  }

  /** Removes the namespaces and veth ends of runs whose process is gone (a crash); answers their names. */
  static async removeLeftovers(): Promise<string[]> {
    const dead = (name: string, pattern: RegExp) => {
      const pid = Number(pattern.exec(name)?.[1]);
      return pid > 0 && !alive(pid);
    };
    const removed: string[] = [];
    for (const link of (await linkNames()).filter((n) => dead(n, LINK))) {
      await run('ip', ['link', 'del', link]);
      removed.push(link);
    }
    for (const name of (await namespaceNames()).filter((n) => dead(n, NAME))) {
      await removeNamespace(name);
      removed.push(name);
    }
    return removed;
  }

  /** A new namespace with its router and veth pairs up and addressed, no firewall rule, no bandwidth limit. */
  static async create(): Promise<NetNamespace> {
    await NetNamespace.removeLeftovers();
    const usedAddresses = await must('ip', ['-o', '-4', 'addr', 'show']);
    const usedRoutes = await must('ip', ['-4', 'route', 'show']);
    const [names, links] = [await namespaceNames(), await linkNames()];
    let index = -1;
    for (let i = NetNamespace.#next; i < MAX_INDEX; i++) {
      const name = `${PREFIX}${process.pid}-${i}`;
      const subnet = `${SUBNET_BASE}.${i}.`;
      if (!usedAddresses.includes(` ${subnet}`) && !usedRoutes.includes(subnet) && !names.some((n) => n.startsWith(name)) && !links.some((l) => l.startsWith(name))) {
        index = i;
        break;
      }
    }
    if (index < 0) throw new Error(`no free test subnet ${SUBNET_BASE}.0-${MAX_INDEX - 1}.0/29 left`);
    NetNamespace.#next = index + 1;
    const ns = new NetNamespace(`${PREFIX}${process.pid}-${index}`, index);
    try {
      await ns.#setUp();
    } catch (error) {
      await ns.close();
      throw error;
    }
    return ns;
  }

  async #setUp(): Promise<void> {
    const [ns, r] = [this.name, this.routerName];
    const [h, a, b, n] = [this.hostInterface, this.routerUplink, this.routerLan, this.namespaceInterface];
    const net = `${SUBNET_BASE}.${this.index}`;
    const inNs = (netns: string, script: string) => must('ip', ['netns', 'exec', netns, 'sh', '-c', script]);
    // IPv4 only on the pairs: no IPv6 link-local chatter, and candidates only on the test subnet.
    const noIpv6 = (iface: string) => `f=/proc/sys/net/ipv6/conf/${iface}/disable_ipv6; [ ! -e $f ] || echo 1 > $f`;
    await must('ip', ['netns', 'add', ns]);
    await must('ip', ['netns', 'add', r]);
    await must('ip', ['link', 'add', h, 'type', 'veth', 'peer', 'name', a]);
    await must('ip', ['link', 'set', a, 'netns', r]);
    await must('ip', ['link', 'add', b, 'netns', r, 'type', 'veth', 'peer', 'name', n, 'netns', ns]);
    await must('sh', ['-c', noIpv6(h)]);
    await inNs(r, `${noIpv6(a)}; ${noIpv6(b)}; echo 1 > /proc/sys/net/ipv4/ip_forward`);
    await inNs(ns, noIpv6(n));
    await must('ip', ['addr', 'add', `${net}.1/30`, 'dev', h]);
    await must('ip', ['-n', r, 'addr', 'add', `${net}.2/30`, 'dev', a]);
    await must('ip', ['-n', r, 'addr', 'add', `${net}.5/30`, 'dev', b]);
    await must('ip', ['-n', ns, 'addr', 'add', `${net}.6/30`, 'dev', n]);
    for (const [where, iface] of [[undefined, h], [r, a], [r, b], [ns, n], [r, 'lo'], [ns, 'lo']] as const) {
      await must('ip', [...(where ? ['-n', where] : []), 'link', 'set', iface, 'up']);
    }
    // Routes: the host reaches the namespace through the router, the namespace reaches only the host's /30.
    await must('ip', ['route', 'add', `${net}.4/30`, 'via', `${net}.2`, 'dev', h]);
    await must('ip', ['-n', ns, 'route', 'add', `${net}.0/30`, 'via', `${net}.5`, 'dev', n]);
  }

  /** Runs a command inside the namespace (bounded by `timeoutMs`, default 10 s); never throws for its exit code. */
  exec(command: string, args: string[] = [], options: { timeoutMs?: number; input?: string } = {}): Promise<ExecResult> {
    if (this.closed) return Promise.reject(new Error(`${this.name} is closed`));
    return run('ip', ['netns', 'exec', this.name, command, ...args], options);
  }

  /** Replaces the firewall rules (an empty list: everything passes). Atomic (iptables-legacy-restore); counters restart at 0. */
  async setFirewall(rules: FirewallRule[]): Promise<void> {
    for (const r of rules) {
      if ('loss' in r && !(r.loss > 0 && r.loss < 1)) throw new RangeError(`loss must be in (0, 1): ${r.loss}`);
      for (const port of 'onlyTcpPort' in r ? [r.onlyTcpPort] : 'onlyTcpPorts' in r ? r.onlyTcpPorts : []) {
        if (!(Number.isInteger(port) && port > 0 && port < 65536)) throw new RangeError(`bad port ${port}`);
      }
    }
    this.#rules = [...rules];
    await this.#apply();
  }

  dropAll(): Promise<void> {
    return this.setFirewall([{ drop: 'all' }]);
  }

  dropUdp(): Promise<void> {
    return this.setFirewall([{ drop: 'udp' }]);
  }

  /** Only TCP to `port` of the host (e.g. 443: a hotel network), nothing else. */
  allowOnlyTcpPort(port: number): Promise<void> {
    return this.setFirewall([{ onlyTcpPort: port }]);
  }

  /** Only TCP to these ports of the host (the page's and a TURN server's, say), nothing else. */
  allowOnlyTcpPorts(ports: number[]): Promise<void> {
    return this.setFirewall([{ onlyTcpPorts: ports }]);
  }

  /** Random loss `probability` both ways (e.g. 0.05). */
  randomLoss(probability: number): Promise<void> {
    return this.setFirewall([{ loss: probability }]);
  }

  clearFirewall(): Promise<void> {
    return this.setFirewall([]);
  }

  /** An outage: nothing crosses either way until restore(), whatever the firewall rules; one atomic change. */
  async cut(): Promise<void> {
    this.#cut = true;
    await this.#apply();
  }

  /** Ends the outage: the firewall rules set before (or since) apply again. */
  async restore(): Promise<void> {
    this.#cut = false;
    await this.#apply();
  }

  /** Packets the router dropped since the rules last changed: `in` towards the namespace, `out` from it. */
  async droppedPackets(): Promise<{ in: number; out: number }> {
    const out = await this.#router('iptables-legacy', ['-w', '-L', 'FORWARD', '-v', '-x', '-n']);
    const counts = { in: 0, out: 0 };
    for (const line of out.split('\n')) {
      // pkts bytes target prot opt in out source destination …
      const f = line.trim().split(/\s+/);
      if (f[2] === 'DROP' && f[5] === this.routerUplink) counts.in += Number(f[0]);
      if (f[2] === 'DROP' && f[5] === this.routerLan) counts.out += Number(f[0]);
    }
    return counts;
  }

  /** The rules in force, as `iptables-legacy -S` prints them (for failure messages). */
  async firewallListing(): Promise<string> {
    return this.#router('iptables-legacy', ['-w', '-S', 'FORWARD']);
  }

  async #apply(): Promise<void> {
    if (this.closed) throw new Error(`${this.name} is closed`);
    const host = this.hostAddress;
    const lines = ['*filter', ':INPUT ACCEPT [0:0]', ':FORWARD ACCEPT [0:0]', ':OUTPUT ACCEPT [0:0]'];
    const down = `-A FORWARD -i ${this.routerUplink} -o ${this.routerLan}`;
    const up = `-A FORWARD -i ${this.routerLan} -o ${this.routerUplink}`;
    const both = (match: { down: string; up: string }, target: string) => {
      lines.push(`${down} ${match.down} -j ${target}`.replace(/ +/g, ' '), `${up} ${match.up} -j ${target}`.replace(/ +/g, ' '));
    };
    if (this.#cut) both({ down: '', up: '' }, 'DROP');
    // Loss first: a lost packet is lost whatever the other rules would let through.
    for (const r of this.#rules) {
      if ('loss' in r) both({ down: `-m statistic --mode random --probability ${r.loss}`, up: `-m statistic --mode random --probability ${r.loss}` }, 'DROP');
    }
    for (const r of this.#rules) {
      if ('drop' in r && r.drop === 'all') both({ down: '', up: '' }, 'DROP');
      if ('drop' in r && r.drop === 'udp') both({ down: '-p udp', up: '-p udp' }, 'DROP');
      if ('onlyTcpPort' in r || 'onlyTcpPorts' in r) {
        for (const port of 'onlyTcpPort' in r ? [r.onlyTcpPort] : r.onlyTcpPorts) {
          both({ down: `-s ${host} -p tcp --sport ${port}`, up: `-d ${host} -p tcp --dport ${port}` }, 'ACCEPT');
        }
        both({ down: '', up: '' }, 'DROP');
      }
    }
    lines.push('COMMIT', '');
    await must('ip', ['netns', 'exec', this.routerName, 'iptables-legacy-restore', '-w'], lines.join('\n'));
  }

  /** tbf on the router: `upKbit` limits what leaves the namespace, `downKbit` what reaches it; an absent one is lifted. */
  async limitBandwidth(limit: BandwidthLimit): Promise<void> {
    if (this.closed) throw new Error(`${this.name} is closed`);
    const latency = `${limit.latencyMs ?? 200}ms`;
    const tbf = (kbit: number) => {
      if (!(Number.isInteger(kbit) && kbit > 0)) throw new RangeError(`bad rate ${kbit} kbit/s`);
      // At least a few full-size packets, at most 50 ms of the rate.
      const burst = Math.max(16_384, Math.ceil((kbit * 1000) / 8 / 20));
      return ['root', 'tbf', 'rate', `${kbit}kbit`, 'burst', String(burst), 'latency', latency];
    };
    await this.clearBandwidth();
    if (limit.upKbit !== undefined) await this.#router('tc', ['qdisc', 'replace', 'dev', this.routerUplink, ...tbf(limit.upKbit)]);
    if (limit.downKbit !== undefined) await this.#router('tc', ['qdisc', 'replace', 'dev', this.routerLan, ...tbf(limit.downKbit)]);
  }

  /** Removes the tbf limits (none set: nothing to do). */
  async clearBandwidth(): Promise<void> {
    for (const dev of [this.routerUplink, this.routerLan]) await run('ip', ['netns', 'exec', this.routerName, 'tc', 'qdisc', 'del', 'dev', dev, 'root']);
  }

  /** `tc -s qdisc` of the router's two ends (what the limits did: sent, dropped, overlimits). */
  async qdiscStats(): Promise<{ up: string; down: string }> {
    return {
      up: await this.#router('tc', ['-s', 'qdisc', 'show', 'dev', this.routerUplink]),
      down: await this.#router('tc', ['-s', 'qdisc', 'show', 'dev', this.routerLan]),
    };
  }

  #router(command: string, args: string[]): Promise<string> {
    if (this.closed) return Promise.reject(new Error(`${this.name} is closed`));
    return must('ip', ['netns', 'exec', this.routerName, command, ...args]);
  }

  /** Kills what still runs inside, deletes the veth pairs and both namespaces. Idempotent. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      if ((await linkNames()).includes(this.hostInterface)) await run('ip', ['link', 'del', this.hostInterface]);
      const names = await namespaceNames();
      for (const netns of [this.name, this.routerName]) if (names.includes(netns)) await removeNamespace(netns);
      for (const netns of [this.name, this.routerName]) {
        if (fs.existsSync(`/run/netns/${netns}`)) throw new Error(`namespace ${netns} still there after close`);
      }
    })();
    return this.#closing;
  }
}
