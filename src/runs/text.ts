/** Text rules for what the agent says: `<internal>` reasoning never reaches a user. */

const INTERNAL = /<internal>[\s\S]*?<\/internal>/g;

export function stripInternal(text: string): string {
  return text.replace(INTERNAL, '').trim();
}

const OPEN = '<internal>';

/**
 * Text still being written: finished `<internal>` parts removed, and everything from one still
 * open (or from the start of its tag, e.g. a trailing "<inte") held back.
 */
export function visibleSoFar(text: string): string {
  const stripped = text.replace(INTERNAL, '');
  const open = stripped.indexOf(OPEN);
  let out = open === -1 ? stripped : stripped.slice(0, open);
  const lt = out.lastIndexOf('<');
  if (lt !== -1 && OPEN.startsWith(out.slice(lt))) out = out.slice(0, lt);
  return out.trim();
}
