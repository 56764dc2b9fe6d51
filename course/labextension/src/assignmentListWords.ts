/**
 * Japanese for the labels of nbgrader's Assignment List (its JupyterLab panel students use to
 * fetch and submit), for a grade-3 child: kana and kanji of grades 1–3, the words of the
 * My lessons panel. No imports, so Node's unit tests load it as it is.
 */

/** nbgrader's English text (trimmed) → what a Japanese course shows instead. */
export const ASSIGNMENT_LIST_JA: { [english: string]: string } = {
  'Assignments': 'レッスン',
  'Released, downloaded, and submitted assignments for course:': 'クラスの レッスン:',
  'Loading, please wait...': 'ちょっと まってね…',
  'Toggle Dropdown': 'クラスを えらぶ',
  'Refresh assignments list': '新しくする',
  'Released assignments': 'もらえる レッスン',
  'There are no assignments to fetch.': 'もらえる レッスンは ないよ。',
  'Downloaded assignments': 'もらった レッスン',
  'There are no downloaded assignments.': 'もらった レッスンは ないよ。',
  'Submitted assignments': '出した レッスン',
  'There are no submitted assignments.': '出した レッスンは ないよ。',
  'Fetch': 'もらう',
  'Fetching...': 'もらっているよ…',
  'Submit': '先生に 出す',
  'submitting...': '出しているよ…',
  'Validate': 'たしかめる',
  'Validating...': 'たしかめているよ…',
  'Fetch Feedback': 'おへんじを もらう',
  'Fetching Feedback...': 'おへんじを もらっているよ…',
  '(feedback available to fetch)': '（先生から おへんじが きたよ）',
  '(view feedback)': '（おへんじを 見る）',
  'Error fetching assignment.': 'もらえなかったよ。先生に 言ってね。',
  'Error submitting assignment.': '出せなかったよ。先生に 言ってね。',
  'Error validating assignment.': 'たしかめられなかったよ。先生に 言ってね。',
  'Error fetching feedback.': 'おへんじを もらえなかったよ。先生に 言ってね。',
  'Error fetching courses!': 'クラスが 見つからないよ。先生に 言ってね。',
  'No courses found.': 'クラスが ないよ。先生に 言ってね。'
};

/**
 * The Japanese for one text of the Assignment List, keeping the spaces around it (nbgrader
 * writes " (view feedback)" right after a time), or null when there is none (a lesson id, a
 * time, a course name, text that is Japanese already).
 */
export function translateLabel(text: string): string | null {
  const trimmed = text.trim();
  const japanese = ASSIGNMENT_LIST_JA[trimmed];
  if (!trimmed || japanese === undefined) {
    return null;
  }
  const start = text.indexOf(trimmed);
  return text.slice(0, start) + japanese + text.slice(start + trimmed.length);
}
