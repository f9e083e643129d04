/**
 * `nanoclaw mounts`: extra host directories for a group's sandbox, allowed only by the mount
 * allowlist (~/.config/nanoclaw/mount-allowlist.json). `check` explains the decision.
 */
import { loadConfig } from '../config.js';
import { UserError } from '../errors.js';
import { openStore, type Store } from '../host.js';
import { checkMount, type MountDecision, type MountRequest } from '../security/mounts.js';
import type { Group } from '../store/groups.js';
import { parse, subcommand } from './args.js';
import { requireGroup } from './group-arg.js';
import type { CliContext } from './index.js';

export const USAGE = `nanoclaw mounts check <path> [--group G] [--rw] [--name N]
       nanoclaw mounts list [--group G]
       nanoclaw mounts add <path> --group G [--name N] [--rw]
       nanoclaw mounts remove --group G --name N`;

const defaultName = (hostPath: string) => hostPath.replace(/\/+$/, '').split('/').at(-1) || 'mount';

type Allowed = Extract<MountDecision, { allowed: true }>;

/** How it is mounted, and why read-only when read-write was asked for. */
export function modeText(decision: Allowed, request: MountRequest): string {
  if (decision.mode === 'rw') return 'read-write';
  if (!request.readWrite) return 'read-only';
  const why = (decision.note ?? 'the allowlist does not allow writing').replace(/^read-only: /, '');
  return `read-only, not read-write as asked: ${why}`;
}

/** `mounts check`: the decision and why; exit 1 when refused. */
function explain(allowlist: string, request: MountRequest, isMain: boolean, ctx: CliContext) {
  const decision = checkMount(allowlist, request, isMain);
  if (!decision.allowed) {
    ctx.stdout.write(`REFUSED: ${decision.reason}\n`);
    return 1;
  }
  const verdict = decision.mode === 'ro' && request.readWrite ? 'ALLOWED READ-ONLY' : 'ALLOWED';
  ctx.stdout.write(
    `${verdict}: ${decision.hostPath} → /workspace/extra/${decision.name} ` +
      `(${modeText(decision, request)})\nAllowlist: ${allowlist}\n`,
  );
  return 0;
}

const NO_MOUNTS =
  'No extra mounts yet. Add one with: nanoclaw mounts add <path> --group <folder> [--rw]\n' +
  '(only folders the mount allowlist allows; try nanoclaw mounts check <path> first)\n';

/** `mounts list`: one line per stored mount, with what the allowlist says of it now. */
function mountLines(store: Store, allowlist: string, groups: readonly Group[]): string[] {
  return groups.flatMap((g) =>
    store.mounts.list(g.folder).map((m) => {
      const decision = checkMount(allowlist, m, g.isMain);
      const state = decision.allowed ? decision.mode : `refused: ${decision.reason}`;
      return `${g.folder}\t${m.name}\t${m.hostPath}\t${state}\n`;
    }),
  );
}

export async function mountsCommand(args: string[], ctx: CliContext): Promise<number> {
  const [given, ...rest] = args;
  const sub = subcommand(given, ['check', 'list', 'add', 'remove'], USAGE);
  const { values, positionals } = parse(
    rest,
    {
      group: { type: 'string' },
      name: { type: 'string' },
      rw: { type: 'boolean', default: false },
    },
    USAGE,
  );
  const config = loadConfig(ctx.env, ctx.appRoot);
  const store = openStore(config);
  try {
    const group = values.group
      ? requireGroup(store.groups, values.group, USAGE)
      : store.groups.main();
    const isMain = group?.isMain ?? true;
    const target = positionals[0] ?? '';
    const request = {
      hostPath: target,
      name: values.name ?? defaultName(target),
      readWrite: values.rw,
    };
    if (sub === 'check' && target) return explain(config.mountAllowlist, request, isMain, ctx);
    if (sub === 'list') {
      const groups = group && values.group ? [group] : store.groups.list();
      const lines = mountLines(store, config.mountAllowlist, groups);
      ctx.stdout.write(lines.length > 0 ? lines.join('') : NO_MOUNTS);
      return 0;
    }
    if (sub === 'add' && target && group && values.group) {
      const decision = checkMount(config.mountAllowlist, request, isMain);
      if (!decision.allowed) throw new UserError(`Not added: ${decision.reason}`);
      store.mounts.set(group.folder, { ...request, hostPath: decision.hostPath });
      ctx.stdout.write(
        `Group ${group.folder} gets ${decision.hostPath} at /workspace/extra/${decision.name} ` +
          `(${modeText(decision, request)}) from its next run.\n`,
      );
      return 0;
    }
    if (sub === 'remove' && group && values.group && values.name) {
      if (!store.mounts.remove(group.folder, values.name))
        throw new UserError(`Group ${group.folder} has no mount "${values.name}".`);
      ctx.stdout.write(`Removed mount ${values.name} from group ${group.folder}.\n`);
      return 0;
    }
    throw new UserError(`Usage: ${USAGE}`);
  } finally {
    store.db.close();
  }
}
