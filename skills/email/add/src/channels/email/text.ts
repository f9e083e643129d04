/**
 * Pure: the text the agent sees for a mail. The body without the quoted history a reply drags
 * along ("On … wrote:" and `>` lines) and without the signature, so the agent does not read its
 * own earlier answers again; the subject goes first. HTML-only mail is turned into text by
 * mailparser (see parse.ts); this module only trims.
 */

const ATTRIBUTION =
  /^(On\s.+(wrote|schrieb|a écrit|escribió)\s*:|-{2,}\s*Original Message\s*-{2,})$/i;

/** Drops the quoted tail: the attribution line and everything after it when the rest is quoted. */
export function stripQuoted(body: string): string {
  const lines = body.replace(/\r\n/g, '\n').split('\n');
  // Gmail wraps long attributions onto two lines: "On Mon, … <a@x>\nwrote:".
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    const joined = `${line} ${(lines[i + 1] ?? '').trim()}`;
    const wrapped = !ATTRIBUTION.test(line) && /^On\s/.test(line) && ATTRIBUTION.test(joined);
    if (ATTRIBUTION.test(line) || wrapped) {
      const rest = lines.slice(i + (wrapped ? 2 : 1)).filter((l) => l.trim());
      const quotedTail = rest.every((l) => l.trimStart().startsWith('>'));
      if (quotedTail || /Original Message/i.test(line)) {
        return lines.slice(0, i).join('\n').trimEnd();
      }
    }
  }
  // Outlook quotes with a header block: "From: …" then "Sent:/To:/Subject: …" lines.
  const outlook = lines.findIndex(
    (l, i) =>
      /^From:\s/.test(l.trim()) &&
      lines.slice(i + 1, i + 5).some((n) => /^(Sent|Date|To|Subject):\s/.test(n.trim())),
  );
  if (outlook > 0) return lines.slice(0, outlook).join('\n').trimEnd();
  // No attribution: drop a trailing block of quoted lines only.
  let end = lines.length;
  while (
    end > 0 &&
    ((lines[end - 1] ?? '').trimStart().startsWith('>') || !(lines[end - 1] ?? '').trim())
  )
    end--;
  return lines.slice(0, end).join('\n').trimEnd();
}

/** Drops a signature after the standard `-- ` delimiter line. */
export function stripSignature(body: string): string {
  const lines = body.split('\n');
  const at = lines.findIndex((l) => l === '-- ' || l === '--');
  return (at >= 0 ? lines.slice(0, at) : lines).join('\n').trimEnd();
}

/**
 * The message text: `Subject: …` and the trimmed body; a mail with no body is its subject alone
 * (so a pairing code sent as the subject of an empty mail reads as the code).
 */
export function messageText(subject: string, body: string): string {
  const clean = stripSignature(stripQuoted(body)).trim();
  const s = subject.replace(/[\r\n]+/g, ' ').trim();
  if (!clean) return s;
  if (!s) return clean;
  return `Subject: ${s}\n\n${clean}`;
}
