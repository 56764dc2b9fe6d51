import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { INotebookTracker } from '@jupyterlab/notebook';
import { ServerConnection } from '@jupyterlab/services';
import { Widget } from '@lumino/widgets';

/**
 * "My lessons" (わたしのレッスン): the lessons assigned to the student, with big buttons to get
 * a lesson, open it and hand it in, its due time in the school's time zone (the student's own
 * extension if they have one) and, once the teacher released feedback, the student's own score
 * and a button that opens the feedback page. Talks to autograder/my_lessons_server.py.
 */

type Lang = 'en' | 'ja';

interface Score {
  score: number;
  max_score: number;
  pending_points: number;
}

interface Feedback {
  ready: boolean;
  fetched: boolean;
  updated: boolean;
  path: string | null;
  score: Score | null;
}

interface Lesson {
  course_id: string;
  lesson: string;
  title: string;
  status: 'released' | 'fetched' | 'submitted';
  path: string | null;
  submitted_at: string | null;
  late: boolean;
  due: string | null;
  timezone?: string;
  extended: boolean;
  feedback: Feedback | null;
}

/** Labels: English, and Japanese a third-grader reads (kanji of grades 1-3, else kana). */
const WORDS: Record<Lang, Record<string, string>> = {
  en: {
    title: 'My lessons',
    empty: 'No lessons yet. Your teacher will give you one.',
    refresh: 'Refresh',
    get: 'Get the lesson',
    open: 'Open',
    submit: 'Hand in',
    submitAgain: 'Hand in again',
    notYet: 'Not started yet',
    working: 'You are working on it',
    submitted: 'Handed in {when}',
    late: 'Handed in after the due time',
    due: 'Due {when}',
    extended: '(later, just for you)',
    feedbackReady: 'Your teacher wrote back!',
    getFeedback: 'See what your teacher wrote',
    openFeedback: 'Open your feedback',
    score: 'Score: {score} / {max}',
    scoreSoFar: 'Score so far: {score} / {max}',
    pending: 'Your teacher will read your written answers.',
    newFeedback: 'New feedback from your teacher',
    fetch_failed: 'Could not get the lesson. Please tell your teacher.',
    submit_failed: 'Could not hand it in. Please tell your teacher.',
    feedback_failed: 'Could not get the feedback. Please tell your teacher.',
    network: 'No connection. Wait a little and press the button again.',
    busy: 'Wait a moment…',
    handedIn: 'Handed in!'
  },
  ja: {
    title: 'わたしのレッスン',
    empty: 'まだ レッスンは ないよ。先生を まってね。',
    refresh: '新しくする',
    get: 'レッスンを もらう',
    open: 'ひらく',
    submit: '先生に 出す',
    submitAgain: 'もう一回 出す',
    notYet: 'まだ もらっていないよ',
    working: 'やっているところ',
    submitted: '{when} に 出したよ',
    late: 'しめきりの あとに 出したよ',
    due: 'しめきり {when}',
    extended: '（あなただけ のびたよ）',
    feedbackReady: '先生から おへんじが きたよ！',
    getFeedback: 'おへんじを 見る',
    openFeedback: 'おへんじを ひらく',
    score: '点数: {score} / {max}',
    scoreSoFar: '今の点数: {score} / {max}',
    pending: '書いた答えは 先生が 読んでくれます。',
    newFeedback: '先生から 新しい おへんじが きたよ',
    fetch_failed: 'もらえなかったよ。先生に 言ってね。',
    submit_failed: '出せなかったよ。先生に 言ってね。',
    feedback_failed: 'おへんじを もらえなかったよ。先生に 言ってね。',
    network: 'つながらないよ。少し まって、もう一回 おしてね。',
    busy: 'ちょっと まってね…',
    handedIn: '出したよ！'
  }
};

const DAYS: Record<Lang, string[]> = {
  en: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'],
  ja: ['日', '月', '火', '水', '木', '金', '土']
};
const REFRESH_MS = 60_000;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const CSS = `
.manabu-lessons { padding: 8px; overflow-y: auto; font-size: 16px; color: var(--jp-ui-font-color1);
  background: var(--jp-layout-color1); }
.manabu-lessons h2 { font-size: 20px; margin: 4px 0 12px; }
.manabu-lessons .manabu-lesson { border: 2px solid var(--jp-border-color2); border-radius: 12px;
  padding: 10px; margin-bottom: 12px; }
.manabu-lessons .manabu-lesson-title { font-weight: bold; font-size: 17px; margin-bottom: 4px; }
.manabu-lessons .manabu-line { margin: 4px 0; line-height: 1.5; }
.manabu-lessons .manabu-score { font-size: 20px; font-weight: bold; }
.manabu-lessons .manabu-pending { color: #0072B2; font-weight: bold; }
.manabu-lessons .manabu-late, .manabu-lessons .manabu-error { color: #D55E00; font-weight: bold; }
.manabu-lessons button { min-height: 48px; min-width: 48px; padding: 8px 16px; margin: 6px 6px 0 0;
  font-size: 17px; border-radius: 24px; border: 2px solid #0072B2; background: #0072B2;
  color: #fff; cursor: pointer; touch-action: manipulation; }
.manabu-lessons button.manabu-secondary { background: var(--jp-layout-color1); color: #0072B2; }
.manabu-lessons button:disabled { opacity: 0.6; }
.manabu-tab-icon { width: 20px; height: 20px; min-width: 20px; background: center / 20px no-repeat
  url("data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 24 24' fill='none' stroke='%23616161' stroke-width='2' stroke-linejoin='round'><path d='M4 4h6a2 2 0 0 1 2 2v14a2 2 0 0 0-2-2H4z'/><path d='M20 4h-6a2 2 0 0 0-2 2v14a2 2 0 0 1 2-2h6z'/></svg>"); }
`;

function fill(text: string, values: Record<string, string | number>): string {
  return text.replace(/\{(\w+)\}/g, (_m, key) => String(values[key] ?? ''));
}

function points(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** The due time as the school's wall clock: the ISO text carries the school's offset. */
export function dueText(iso: string, lang: Lang): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(iso);
  if (!m) {
    return iso;
  }
  const [year, month, day, hour, minute] = m.slice(1).map(Number);
  const weekday = new Date(Date.UTC(year, month - 1, day)).getUTCDay();
  const time = `${hour}:${String(minute).padStart(2, '0')}`;
  return lang === 'ja'
    ? `${month}月${day}日（${DAYS.ja[weekday]}）${time}`
    : `${DAYS.en[weekday]} ${MONTHS[month - 1]} ${day}, ${time}`;
}

function submittedText(iso: string, lang: Lang, timeZone?: string): string {
  const when = new Date(iso);
  try {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone, month: 'numeric', day: 'numeric', hour: 'numeric', minute: '2-digit', hour12: false
    }).formatToParts(when);
    const get = (type: string) => parts.find(p => p.type === type)?.value ?? '';
    return lang === 'ja'
      ? `${get('month')}月${get('day')}日 ${get('hour')}:${get('minute')}`
      : `${MONTHS[Number(get('month')) - 1]} ${get('day')}, ${get('hour')}:${get('minute')}`;
  } catch {
    return when.toLocaleString();
  }
}

export async function request(path: string, body?: object): Promise<any> {
  const settings = ServerConnection.makeSettings();
  const url = `${settings.baseUrl}manabu/my-lessons${path}`;
  const init: RequestInit = body ? { method: 'POST', body: JSON.stringify(body) } : { method: 'GET' };
  const response = await ServerConnection.makeRequest(url, init, settings);
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new ActionError(data.error || 'network', data.detail || response.statusText);
  }
  return data;
}

class ActionError extends Error {
  constructor(public code: string, detail: string) {
    super(detail);
  }
}

/** JupyterLab's own language setting (the hub sets it from the school's language). */
export async function labLanguage(): Promise<Lang | null> {
  try {
    const settings = ServerConnection.makeSettings();
    const url = `${settings.baseUrl}lab/api/settings/@jupyterlab/translation-extension:plugin`;
    const response = await ServerConnection.makeRequest(url, {}, settings);
    const data = await response.json();
    const locale = String(data?.settings?.locale ?? data?.composite?.locale ?? '');
    return locale.startsWith('ja') ? 'ja' : locale ? 'en' : null;
  } catch {
    return null;
  }
}

export class MyLessonsPanel extends Widget {
  private lang: Lang = 'en';
  private lessons: Lesson[] = [];
  private message: { key: string; lesson?: string; error?: boolean } | null = null;
  private busy = false;
  private loaded = false;

  constructor(private app: JupyterFrontEnd, private notebooks: INotebookTracker | null) {
    super();
    this.id = 'manabu-my-lessons';
    this.addClass('manabu-lessons');
    this.title.caption = '';  // set in the course language at the first refresh
    this.title.iconClass = 'manabu-tab-icon';
    this.node.setAttribute('data-manabu-panel', 'my-lessons');
    // feedback the teacher releases shows up without a tap (only while the panel is open)
    window.setInterval(() => {
      if (this.isVisible && !this.busy) {
        void this.refresh();
      }
    }, REFRESH_MS);
  }

  protected onAfterShow(): void {
    void this.refresh();
  }

  words(): Record<string, string> {
    return WORDS[this.lang];
  }

  async refresh(): Promise<void> {
    try {
      const data = await request('');
      const lang = data.lang === 'ja' || data.lang === 'en' ? data.lang : await labLanguage();
      this.lang = lang ?? 'en';
      this.lessons = data.lessons;
      this.loaded = true;
    } catch (err) {
      this.message = { key: 'network', error: true };
    }
    this.title.caption = this.words().title;
    this.render();
  }

  /** Save the lesson if it is open, so what is handed in is what the child sees. */
  private async saveOpen(path: string | null): Promise<void> {
    if (!path || !this.notebooks) {
      return;
    }
    const saves: Promise<void>[] = [];
    this.notebooks.forEach(panel => {
      if (panel.context.path === path && panel.context.model.dirty) {
        saves.push(panel.context.save());
      }
    });
    await Promise.all(saves);
  }

  private async act(lesson: Lesson, action: 'fetch' | 'submit' | 'feedback'): Promise<void> {
    if (this.busy) {
      return;
    }
    this.busy = true;
    this.message = { key: 'busy', lesson: lesson.lesson };
    this.render();
    try {
      if (action === 'submit') {
        await this.saveOpen(lesson.path);
      }
      const data = await request(`/${action}`, { course_id: lesson.course_id, lesson: lesson.lesson });
      const row: Lesson = data.lesson;
      this.lessons = this.lessons.map(l =>
        l.course_id === row.course_id && l.lesson === row.lesson ? row : l);
      this.message = action === 'submit' ? { key: 'handedIn', lesson: lesson.lesson } : null;
      if (action === 'fetch' && row.path) {
        void this.app.commands.execute('docmanager:open', { path: row.path });
      }
      if (action === 'feedback' && row.feedback?.path) {
        this.openFeedback(row.feedback.path);
      }
    } catch (err) {
      const code = err instanceof ActionError ? err.code : 'network';
      this.message = { key: code in WORDS.en ? code : 'network', lesson: lesson.lesson, error: true };
    } finally {
      this.busy = false;
      this.render();
    }
  }

  private openFeedback(path: string): void {
    void this.app.commands.execute('docmanager:open', { path, factory: 'HTML Viewer' });
  }

  private button(label: string, onClick: () => void, secondary = false, name = ''): HTMLButtonElement {
    const button = document.createElement('button');
    button.textContent = label;
    button.disabled = this.busy;
    if (secondary) {
      button.classList.add('manabu-secondary');
    }
    if (name) {
      button.dataset.action = name;
    }
    button.addEventListener('click', onClick);
    return button;
  }

  private line(text: string, cls = ''): HTMLDivElement {
    const div = document.createElement('div');
    div.className = `manabu-line ${cls}`.trim();
    div.textContent = text;
    return div;
  }

  private card(lesson: Lesson): HTMLElement {
    const w = this.words();
    const card = document.createElement('section');
    card.className = 'manabu-lesson';
    card.dataset.lesson = lesson.lesson;
    card.dataset.status = lesson.status;
    const title = document.createElement('div');
    title.className = 'manabu-lesson-title';
    title.textContent = lesson.title;
    card.appendChild(title);
    if (lesson.due) {
      const due = this.line(fill(w.due, { when: dueText(lesson.due, this.lang) }) +
        (lesson.extended ? ` ${w.extended}` : ''), 'manabu-due');
      due.title = lesson.timezone ?? '';
      card.appendChild(due);
    }
    if (lesson.status === 'released') {
      card.appendChild(this.line(w.notYet));
      card.appendChild(this.button(w.get, () => void this.act(lesson, 'fetch'), false, 'fetch'));
    } else if (lesson.status === 'fetched') {
      card.appendChild(this.line(w.working));
    } else if (lesson.submitted_at) {
      card.appendChild(this.line(fill(w.submitted, {
        when: submittedText(lesson.submitted_at, this.lang, lesson.timezone)
      }), 'manabu-submitted'));
      if (lesson.late) {
        card.appendChild(this.line(w.late, 'manabu-late'));
      }
    }
    const feedback = lesson.feedback;
    if (feedback?.score) {
      const s = feedback.score;
      const text = s.pending_points > 0
        ? fill(w.scoreSoFar, { score: points(s.score), max: points(s.max_score - s.pending_points) })
        : fill(w.score, { score: points(s.score), max: points(s.max_score) });
      card.appendChild(this.line(text, 'manabu-score'));
      if (s.pending_points > 0) {
        card.appendChild(this.line(w.pending, 'manabu-pending'));
      }
    }
    if (lesson.path && lesson.status !== 'released') {
      card.appendChild(this.button(w.open, () =>
        void this.app.commands.execute('docmanager:open', { path: lesson.path }), true, 'open'));
      card.appendChild(this.button(lesson.status === 'submitted' ? w.submitAgain : w.submit,
        () => void this.act(lesson, 'submit'), false, 'submit'));
    }
    if (feedback && (feedback.ready && (!feedback.fetched || feedback.updated))) {
      card.appendChild(this.line(feedback.fetched ? w.newFeedback : w.feedbackReady, 'manabu-pending'));
      card.appendChild(this.button(w.getFeedback, () => void this.act(lesson, 'feedback'), false,
        'feedback'));
    } else if (feedback?.fetched && feedback.path) {
      const path = feedback.path;
      card.appendChild(this.button(w.openFeedback, () => this.openFeedback(path), false,
        'open-feedback'));
    }
    if (this.message && this.message.lesson === lesson.lesson) {
      card.appendChild(this.line(w[this.message.key] ?? '', this.message.error ? 'manabu-error' : ''));
    }
    return card;
  }

  render(): void {
    const w = this.words();
    this.node.replaceChildren();
    this.node.lang = this.lang;
    const heading = document.createElement('h2');
    heading.textContent = w.title;
    this.node.appendChild(heading);
    this.node.appendChild(this.button(w.refresh, () => void this.refresh(), true, 'refresh'));
    if (this.message && !this.message.lesson) {
      this.node.appendChild(this.line(w[this.message.key] ?? '', 'manabu-error'));
      this.message = null;
    }
    if (this.loaded && !this.lessons.length) {
      this.node.appendChild(this.line(w.empty, 'manabu-empty'));
    }
    for (const lesson of this.lessons) {
      this.node.appendChild(this.card(lesson));
    }
  }
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: '@manabu/lab:my-lessons',
  description: 'The student\'s lessons: get, hand in, due times, own score and feedback.',
  autoStart: true,
  optional: [INotebookTracker],
  activate: (app: JupyterFrontEnd, notebooks: INotebookTracker | null): void => {
    const style = document.createElement('style');
    // this panel in Japanese: the school font (its @font-face: schoolFontFace.ts)
    style.textContent =
      CSS +
      `.manabu-lessons:lang(ja), .manabu-lessons:lang(ja) * {
  font-family: "BIZ UDPGothic", var(--jp-ui-font-family), sans-serif !important; }
`;
    document.head.appendChild(style);
    const panel = new MyLessonsPanel(app, notebooks);
    app.shell.add(panel, 'left', { rank: 50 });
    app.commands.addCommand('manabu:my-lessons', {
      label: () => panel.words().title,
      execute: () => app.shell.activateById(panel.id)
    });
    void panel.refresh();
  }
};

export default plugin;
