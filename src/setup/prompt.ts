/**
 * Questions on a terminal: free text with a default, a numbered choice, yes/no, and a secret
 * (not echoed, via the skills prompter). Only used when setup runs on a TTY without --yes.
 */
import { terminalPrompter } from '../cli/skills.js';
import type { CliContext } from '../cli/index.js';

export interface Asker {
  text(question: string, fallback?: string): Promise<string>;
  secret(question: string): Promise<string>;
  choose<T extends string>(
    question: string,
    options: readonly { value: T; label: string }[],
    fallback: T,
  ): Promise<T>;
  confirm(question: string, fallback: boolean): Promise<boolean>;
}

export function terminalAsker(ctx: CliContext): Asker {
  const prompt = terminalPrompter(ctx);
  return {
    async text(question, fallback) {
      const hint = fallback ? ` [${fallback}]` : '';
      const answer = (await prompt(`  ${question}${hint}: `, false)).trim();
      return answer || fallback || '';
    },
    async secret(question) {
      return (await prompt(`  ${question} (input hidden): `, true)).trim();
    },
    async choose(question, options, fallback) {
      const list = options.map((o, i) => `    ${i + 1}) ${o.label}`).join('\n');
      const index = options.findIndex((o) => o.value === fallback) + 1;
      for (;;) {
        const answer = (
          await prompt(`  ${question}\n${list}\n  Choose [${index}]: `, false)
        ).trim();
        if (!answer) return fallback;
        const picked = options[Number(answer) - 1] ?? options.find((o) => o.value === answer);
        if (picked) return picked.value;
      }
    },
    async confirm(question, fallback) {
      const answer = (await prompt(`  ${question} [${fallback ? 'Y/n' : 'y/N'}]: `, false)).trim();
      if (!answer) return fallback;
      return /^y(es)?$/i.test(answer);
    },
  };
}
