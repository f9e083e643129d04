/** Text rules for what the agent says: `<internal>` reasoning never reaches a user. */

const INTERNAL = /<internal>[\s\S]*?<\/internal>/g;

export function stripInternal(text: string): string {
  return text.replace(INTERNAL, '').trim();
}
