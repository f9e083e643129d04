/**
 * Our MCP server `nanoclaw`: the tools the agent uses to act on the host. Each tool is a thin
 * call to one host API route; the host decides what the run's group may do (the tool list is
 * the same for every group, authority is not).
 */
import { createSdkMcpServer, tool } from '@anthropic-ai/claude-agent-sdk';
import { z } from 'zod';
import { HOST_API_PATHS } from '../shared/host-api.js';
import { TASK_SHAPES, TASK_TOOL_DESCRIPTIONS, type TaskToolName } from '../shared/task-api.js';
import type { HostClient } from './host-client.js';
import { usageTools } from './usage-tools.js';

const INTERNAL = /<internal>[\s\S]*?<\/internal>/g;

function result(text: string, isError = false) {
  return { content: [{ type: 'text' as const, text }], ...(isError ? { isError: true } : {}) };
}

async function forward(host: HostClient, path: string, body: unknown, done: string) {
  const reply = await host.call(path, body);
  if (!reply.ok) return result(`Refused by the host: ${reply.error}`, true);
  const { ok: _ok, ...rest } = reply;
  return result(Object.keys(rest).length ? JSON.stringify(rest, null, 2) : done);
}

/** `send_message`: the only tool every group uses for its own chat. */
function messageTools(host: HostClient) {
  return [
    tool(
      'send_message',
      'Send a message to the chat right away (for progress updates or several messages in ' +
        'one turn). Your final answer is sent automatically; do not repeat it here. Only the ' +
        'main group may send to another chat (chat_id).',
      {
        text: z.string().min(1).describe('The message text'),
        chat_id: z.string().optional().describe('Target chat id; default: this chat'),
      },
      async (args) => {
        const text = args.text.replace(INTERNAL, '').trim();
        if (!text) return result('Nothing to send: the message was empty after <internal> parts.');
        const body = { text, ...(args.chat_id ? { chatId: args.chat_id } : {}) };
        return forward(host, HOST_API_PATHS.sendMessage, body, 'Message sent.');
      },
    ),
    tool(
      'send_file',
      'Send a file from the group folder to the chat (a document, an image, a report you ' +
        'wrote). Only files inside /workspace/group can be sent; the size limit is ' +
        'ATTACHMENT_MAX_MB. Only the main group may send to another chat (chat_id).',
      {
        path: z.string().min(1).describe('The file, e.g. /workspace/group/report.pdf'),
        caption: z.string().optional().describe('Text sent with the file; default: its name'),
        chat_id: z.string().optional().describe('Target chat id; default: this chat'),
      },
      async (args) => forward(host, HOST_API_PATHS.sendFile, args, 'File sent.'),
    ),
  ];
}

/** Group and mount management (the host allows these to main only). */
function groupTools(host: HostClient) {
  return [
    tool(
      'register_group',
      'Register a chat as a new group (main group only). The group gets its own folder, memory ' +
        'and sandbox. It answers messages starting with its trigger (default @<assistant name>).',
      {
        folder: z
          .string()
          .describe(
            'Folder name: ASCII letters, digits, _ or -; not main or global, nor an existing group in another case',
          ),
        name: z.string().optional().describe('Display name'),
        chat_id: z
          .string()
          .optional()
          .describe(
            'Chat id <channel>:<id> of a channel this installation has, e.g. web:family (default web:<folder>)',
          ),
        trigger: z.string().optional().describe('Trigger word, e.g. @Andy'),
        requires_trigger: z.boolean().optional().describe('false: answer every message'),
      },
      async (args) => forward(host, HOST_API_PATHS.registerGroup, args, 'Group registered.'),
    ),
    tool(
      'list_chats',
      'List the chats the channels have seen, with their group or none (main group only): ' +
        'register an unregistered one with register_group and its chat_id.',
      { unregistered_only: z.boolean().optional().describe('Only chats no group has') },
      async (args) => forward(host, HOST_API_PATHS.listChats, args, 'No chats.'),
    ),
    tool(
      'list_groups',
      'List the registered groups (main sees all; other groups see only themselves).',
      {},
      async () => forward(host, HOST_API_PATHS.listGroups, {}, 'No groups.'),
    ),
    tool(
      'set_group_mount',
      'Give a group an extra host folder at /workspace/extra/<name> (main group only; the ' +
        "owner's mount allowlist decides what is possible and whether it may be writable).",
      {
        group_folder: z.string().describe('The group'),
        host_path: z.string().describe('Host folder, e.g. ~/projects/app'),
        name: z.string().describe('Name under /workspace/extra/'),
        read_write: z.boolean().optional().describe('Ask for write access'),
      },
      async (args) => forward(host, HOST_API_PATHS.setGroupMount, args, 'Mount set.'),
    ),
    tool(
      'remove_group_mount',
      "Remove a group's extra mount (main group only).",
      { group_folder: z.string(), name: z.string() },
      async (args) => forward(host, HOST_API_PATHS.removeGroupMount, args, 'Mount removed.'),
    ),
  ];
}

/** Sender and egress policies (reading one's own is open; changing any is main only). */
function policyTools(host: HostClient) {
  const folder = z.string().describe('The group folder');
  return [
    tool(
      'get_group_policies',
      "Show a group's sender policy (who may wake its agent) and egress policy (where its " +
        'sandbox may connect). Default: this group; other groups: main only.',
      { group_folder: folder.optional() },
      async (args) => forward(host, HOST_API_PATHS.getGroupPolicies, args, 'No policies.'),
    ),
    tool(
      'set_egress_policy',
      "Set where a group's sandbox may connect (main group only). public: any public address " +
        '(private, loopback and metadata addresses refused); allowlist: only the listed domains ' +
        '(*.example.com allowed); none: nothing. A host:port entry may open one private address.',
      {
        group_folder: folder,
        mode: z.enum(['public', 'allowlist', 'none']),
        allow: z.array(z.string()).optional().describe('Domains or host:port entries'),
      },
      async (args) => forward(host, HOST_API_PATHS.setEgressPolicy, args, 'Policy set.'),
    ),
    tool(
      'set_sender_policy',
      "Set who may wake a group's agent in its chat (main group only): allow 'all', 'owner' or " +
        "a list of sender ids; mode 'trigger' keeps others' messages as context, 'drop' discards them.",
      {
        group_folder: folder,
        allow: z.union([z.enum(['all', 'owner']), z.array(z.string()).min(1)]),
        mode: z.enum(['trigger', 'drop']).optional(),
      },
      async (args) => forward(host, HOST_API_PATHS.setSenderPolicy, args, 'Policy set.'),
    ),
  ];
}

/** Memory beyond the session: the group's own conversation history, searched on the host. */
function memoryTools(host: HostClient) {
  return [
    tool(
      'search_messages',
      "Search this group's conversation history (all its chats, beyond this session): " +
        'what was said or decided about something, and when. Words are all required; word* ' +
        'matches a prefix. Narrow with since/until (YYYY-MM-DD or ISO time) and sender.',
      {
        query: z.string().min(1).describe('Words to find, e.g. "holiday budget"'),
        since: z.string().optional().describe('From this date or time, e.g. 2026-04-01'),
        until: z.string().optional().describe('Up to this date (inclusive) or time'),
        sender: z.string().optional().describe("A sender's name or id"),
        limit: z.number().int().min(1).max(50).optional().describe('Most hits (default 20)'),
      },
      async (args) => forward(host, HOST_API_PATHS.searchMessages, args, 'No matches.'),
    ),
  ];
}

/** Named specialists of a group (agents/<name>.md), loaded into every run of the group. */
function specialistTools(host: HostClient) {
  return [
    tool(
      'define_agent',
      'Define (or replace, or remove) a named specialist for this group: a subagent with its ' +
        'own description, instructions, tools and model, available to every later run. Main ' +
        'may define them for any group (group_folder).',
      {
        name: z.string().describe('lowercase-with-dashes, e.g. fact-checker'),
        description: z.string().optional().describe('When to use it (the lead reads this)'),
        prompt: z.string().optional().describe('Its instructions'),
        tools: z.array(z.string()).optional().describe('Tools it may use; default: all'),
        model: z.string().optional().describe('A model id, or inherit'),
        group_folder: z.string().optional().describe('Another group (main only)'),
        remove: z.boolean().optional().describe('Remove it instead'),
      },
      async (args) => forward(host, HOST_API_PATHS.defineAgent, args, 'Specialist saved.'),
    ),
  ];
}

function taskTools(host: HostClient) {
  return (Object.keys(TASK_SHAPES) as TaskToolName[]).map((name) =>
    tool(name, TASK_TOOL_DESCRIPTIONS[name], TASK_SHAPES[name], async (args) =>
      forward(host, `/api/${name}`, args, 'Done.'),
    ),
  );
}

/** Every tool of our server; each handler is a call to the host API through `host`. */
export function nanoclawTools(host: HostClient) {
  return [
    ...messageTools(host),
    ...groupTools(host),
    ...policyTools(host),
    ...memoryTools(host),
    ...specialistTools(host),
    ...taskTools(host),
    ...usageTools(host, forward),
  ];
}

export function nanoclawMcpServer(host: HostClient) {
  return createSdkMcpServer({ name: 'nanoclaw', version: '1.0.0', tools: nanoclawTools(host) });
}
