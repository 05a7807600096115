import dgram from 'node:dgram';

const bind = (port: number, address: string) =>
  new Promise<dgram.Socket | undefined>((resolve) => {
    const socket = dgram.createSocket(address.includes(':') ? 'udp6' : 'udp4');
    socket.once('error', () => {
      socket.close();
      resolve(undefined);
    });
    socket.bind(port, address, () => resolve(socket));
  });

/**
 * Finds an even UDP port P such that P (RTP) and P + 1 (RTCP) are free on `address`, within
 * [min, max]. The sockets are released before ffmpeg binds them: a tiny race that a retry covers.
 */
export async function freeRtpPorts(address: string, min = 20000, max = 29998): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = min + 2 * Math.floor(Math.random() * ((max - min) / 2));
    const rtp = await bind(port, address);
    if (!rtp) continue;
    const rtcp = await bind(port + 1, address);
    rtp.close();
    if (!rtcp) continue;
    rtcp.close();
    return port;
  }
  throw new Error('no free UDP port pair for a recording');
}
