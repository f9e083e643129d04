/**
 * Calls the host API from inside the sandbox (through the forwarder), authenticated by the
 * run's capability. Returns the host's answer; a refusal is a value, not an exception.
 */
import { z } from 'zod';

const ReplySchema = z.union([
  z.object({ ok: z.literal(true) }).passthrough(),
  z.object({ ok: z.literal(false), error: z.string() }),
]);
export type HostReply = z.infer<typeof ReplySchema>;

export interface HostClient {
  /** `timeoutMs`: how long to wait for the host (default 30 s; `delegate` waits for workers). */
  call(path: string, body: unknown, timeoutMs?: number): Promise<HostReply>;
}

export function createHostClient(baseUrl: string, capability: string): HostClient {
  return {
    async call(path, body, timeoutMs = 30_000) {
      let response: Response;
      try {
        response = await fetch(`${baseUrl}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${capability}` },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        return { ok: false, error: `the host is unreachable: ${(error as Error).message}` };
      }
      const parsed = ReplySchema.safeParse(await response.json().catch(() => undefined));
      if (parsed.success) return parsed.data;
      return { ok: false, error: `the host answered HTTP ${response.status}` };
    },
  };
}
