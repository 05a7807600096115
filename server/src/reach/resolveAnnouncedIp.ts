import dns from 'node:dns/promises';
import net from 'node:net';

/**
 * ANNOUNCED_IP may be a host name (REACH-7): ICE candidates need an address, so the name is
 * resolved once at start (IPv4 first, as browsers reach the workers over IPv4 by default). A name
 * that does not resolve stops the start with a clear message.
 */
export async function resolveAnnouncedIp(value: string | undefined): Promise<string | undefined> {
  if (value === undefined || net.isIP(value)) return value;
  try {
    const { address } = await dns.lookup(value, { family: 4 }).catch(() => dns.lookup(value, { family: 6 }));
    return address;
  } catch (error) {
    throw new Error(`ANNOUNCED_IP ${value} does not resolve: ${(error as Error).message}`);
  }
}
