/**
 * Apple Container (`container`, macOS 26+) command lines for a SandboxSpec (pure). Each sandbox
 * is a lightweight Linux VM, so node and the runner come from the agent image (as for Docker).
 *
 * Network: Apple Container has no `--network none`. The VM gets a NAT'd interface and can open
 * connections of its own; a unix socket on the host cannot be connected to from inside the VM.
 * The sandbox therefore reaches the gateway at a host address (GatewayEndpoint kind 'tcp'),
 * and egress control there rests on the gateway alone: traffic that uses the gateway is
 * policed, traffic that bypasses it is not blocked by this runtime. Prefer Docker (or bwrap on
 * Linux) where that matters.
 */
import { z } from 'zod';
import { GROUP_LABEL, INSTANCE_LABEL, fromImage } from './container-args.js';
import { SANDBOX_PATHS, type Mount, type SandboxSpec } from './spec.js';

/** Mounts that make no sense in a VM: image content, and the gateway's unix socket dir. */
function skipped(mount: Mount): boolean {
  return fromImage(mount) || mount.sandboxPath === SANDBOX_PATHS.gatewayDir;
}

/** `container run …` for a spec. */
export function appleRunArgs(spec: SandboxSpec, image: string): string[] {
  const { uid, gid } = spec.user;
  const args = [
    'run',
    '--rm',
    '-i',
    '--name',
    spec.name,
    '--label',
    `${INSTANCE_LABEL}=${spec.instance}`,
    '--label',
    `${GROUP_LABEL}=${spec.group}`,
    '--user',
    `${uid}:${gid}`,
    '--memory',
    `${spec.limits.memoryMb}M`,
    // Whole CPUs only; round up so a fractional setting never starves the VM.
    '--cpus',
    String(Math.max(1, Math.ceil(spec.limits.cpus))),
    '--tmpfs',
    '/tmp',
  ];
  for (const [key, value] of Object.entries(spec.env)) args.push('--env', `${key}=${value}`);
  for (const mount of spec.mounts) {
    if (skipped(mount)) continue;
    const readonly = mount.mode === 'ro' ? ',readonly' : '';
    args.push(
      '--mount',
      `type=bind,source=${mount.hostPath},target=${mount.sandboxPath}${readonly}`,
    );
  }
  args.push('--workdir', spec.cwd, image, ...spec.command);
  return args;
}

const ContainerList = z.array(
  z.object({
    configuration: z.object({
      id: z.string(),
      labels: z.record(z.string(), z.string()).optional(),
    }),
  }),
);

/** Ids of this instance's containers in `container list --all --format json` output. */
export function appleInstanceContainers(json: string, instance: string): string[] {
  const list = ContainerList.parse(JSON.parse(json));
  return list
    .filter((c) => c.configuration.labels?.[INSTANCE_LABEL] === instance)
    .map((c) => c.configuration.id);
}
