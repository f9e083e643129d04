/**
 * Inside the sandbox, the gateway is a unix socket (or a host address). Tools that want a base
 * URL (the SDK's ANTHROPIC_BASE_URL, curl) get 127.0.0.1:<port> in the sandbox's own network
 * namespace, and every connection there is piped to the gateway unchanged.
 */
import net from 'node:net';
import type { GatewayEndpoint } from '../shared/protocol.js';

export interface Forwarder {
  port: number;
  close(): Promise<void>;
}

export async function startForwarder(gateway: GatewayEndpoint): Promise<Forwarder> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream =
      gateway.kind === 'unix' ? net.connect(gateway.path) : net.connect(gateway.port, gateway.host);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    }
    client.pipe(upstream).pipe(client);
    // Either side failing ends both; the HTTP client above sees a closed connection.
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('forwarder has no port');
  return {
    port: address.port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
