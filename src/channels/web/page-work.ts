/**
 * The page's view of a turn in progress (browser JavaScript, loaded before the main script):
 * the typing line shows what the agent does now and for how long, with a Stop button; text the
 * agent writes on the way shows as a draft reply; when the reply arrives the steps fold into a
 * "Worked for …" list on it (the host keeps that list: replies in the history show it too).
 * Everything here is set with textContent or renderMarkdown.
 */

export const PAGE_WORK = `
'use strict';
const work = { steps: [], started: 0, timer: 0, draft: null };
function elapsedText(ms) {
  const s = Math.max(0, Math.round(ms / 1000));
  return s < 60 ? s + ' s' : Math.floor(s / 60) + ' min ' + (s % 60) + ' s';
}
function tickElapsed() {
  document.getElementById('elapsed').textContent = work.started ? elapsedText(Date.now() - work.started) : '';
}
function startWork() {
  if (work.started) return;
  work.started = Date.now();
  work.timer = setInterval(tickElapsed, 1000);
  tickElapsed();
  document.getElementById('stop').hidden = false;
}
function endWork() {
  clearInterval(work.timer);
  work.started = 0;
  tickElapsed();
  document.getElementById('stop').hidden = true;
}
function showDraft(text) {
  const list = document.getElementById('messages');
  if (!work.draft) {
    work.draft = document.createElement('article');
    work.draft.className = 'msg bot draft';
    work.draft.setAttribute('aria-busy', 'true');
    const meta = document.createElement('div');
    meta.className = 'meta';
    meta.textContent = document.body.dataset.assistant + ' · writing…';
    const body = document.createElement('div');
    body.className = 'text';
    work.draft.append(meta, body);
  }
  renderMarkdown(work.draft.querySelector('.text'), text);
  list.append(work.draft); // always last
  list.scrollTop = list.scrollHeight;
}
/** One step of the agent (a tool, a team member, text on the way). Returns the line to show. */
function noteActivity(a) {
  const who = a.agent ? a.agent + ': ' : '';
  if (a.kind === 'text') {
    showDraft(a.text);
    return who + 'writing…';
  }
  work.steps.push({ line: who + a.text, at: Date.now() });
  return who + a.text;
}
/** The collapsed "Worked for …" list of a turn's steps ({line, at}, oldest first). */
function stepsElement(steps) {
  const took = steps.length > 1 ? steps[steps.length - 1].at - steps[0].at : 0;
  const details = document.createElement('details');
  details.className = 'steps';
  const summary = document.createElement('summary');
  const count = steps.length + (steps.length === 1 ? ' step' : ' steps');
  summary.textContent = took >= 1000 ? 'Worked for ' + elapsedText(took) + ' · ' + count : count;
  const ol = document.createElement('ol');
  for (const step of steps) {
    const li = document.createElement('li');
    li.textContent = step.line;
    ol.append(li);
  }
  details.append(summary, ol);
  return details;
}
/** Folds the turn's steps into the reply that ended it, and clears the draft. */
function attachSteps(article) {
  work.draft?.remove();
  work.draft = null;
  if (!work.steps.length) return;
  article.querySelector('.text').before(stepsElement(work.steps));
  work.steps = [];
}
/** A reply from the history: the steps the host kept with it. */
function showSavedSteps(article, steps) {
  if (!steps || !steps.length) return;
  const lines = steps.map((s) => ({ line: (s.agent ? s.agent + ': ' : '') + s.text, at: s.at }));
  article.querySelector('.text').before(stepsElement(lines));
}
`;
