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
  'No courses found.': 'クラスが ないよ。先生に 言ってね。',
  // what Manabu's server says instead of nbgrader's errors (autograder/school/assignment_list.py)
  'Could not find your lessons. Please tell your teacher.': 'レッスンが 見つからないよ。先生に 言ってね。',
  'Could not get the lesson. Please tell your teacher.': 'もらえなかったよ。先生に 言ってね。',
  'Could not hand it in. Please tell your teacher.': '出せなかったよ。先生に 言ってね。',
  'Could not get the feedback. Please tell your teacher.': 'おへんじを もらえなかったよ。先生に 言ってね。',
  'Could not check the lesson. Please tell your teacher.': 'たしかめられなかったよ。先生に 言ってね。',
  // nbgrader's dialogs: a refused submission, and what Validate found
  'Invalid Submission': '出せなかったよ',
  'Assignment not submitted:': 'まだ 先生に 出していないよ。',
  'Validation Results': 'たしかめた けっか',
  'Success! Your notebook passes all the tests.': 'チェックは ぜんぶ 通ったよ。あっているかは 先生が たしかめるよ。',
  'The following cell failed:': 'この セルの チェックが 通らなかったよ:',
  'The following cell passed:': 'この セルの チェックは 通ったよ:',
  'The source of the following cell has changed, but it should not have!': 'この セルは かえては いけないよ。先生に 言ってね:',
  'The following {old} cell has changed to a {new} cell, but it should not have!': 'この セルの しゅるいが かわったよ。先生に 言ってね:',
  'There was an error running the validate command:': 'たしかめられなかったよ。先生に 言ってね。',
  'Validation failed': 'たしかめられなかったよ',
  'Cannot save notebook': 'ほぞん できなかったよ。先生に 言ってね。',
  'Version Mismatch': 'うまく 動かないよ',
  // nbgrader's Validate button in a lesson's toolbar (its label while it works is above)
  'Validate Assignment': 'レッスンを たしかめる',
  'Saving...': 'ほぞん しているよ…'
};

/**
 * nbgrader's texts that end with a detail a child cannot use (an error, a version, a link to
 * nbgrader's documentation): the start of the text → the whole Japanese text.
 */
export const ASSIGNMENT_LIST_JA_STARTS: { [start: string]: string } = {
  'Cannot validate:': 'たしかめられなかったよ。先生に 言ってね。',
  'Cannot check version:': 'うまく 動かないよ。先生に 言ってね。',
  'The version of the': 'うまく 動かないよ。先生に 言ってね。',
  'The exchange directory does not exist': 'レッスンが 見つからないよ。先生に 言ってね。'
};

/** nbgrader writes the two cell kinds into this sentence; the table has it with {old}, {new}. */
const TYPE_CHANGED = /^The following \w+ cell has changed to a \w+ cell, but it should not have!$/;

/**
 * The Japanese for one text of the Assignment List or its dialogs, keeping the spaces around it
 * (nbgrader writes " (view feedback)" right after a time), or null when there is none (a lesson
 * id, a time, a course name, a cell's code, text that is Japanese already).
 */
export function translateLabel(text: string): string | null {
  const trimmed = text.trim();
  const japanese = trimmed ? japaneseFor(trimmed) : undefined;
  if (japanese === undefined) {
    return null;
  }
  const start = text.indexOf(trimmed);
  return text.slice(0, start) + japanese + text.slice(start + trimmed.length);
}

function japaneseFor(trimmed: string): string | undefined {
  const key = TYPE_CHANGED.test(trimmed)
    ? 'The following {old} cell has changed to a {new} cell, but it should not have!'
    : trimmed;
  if (Object.prototype.hasOwnProperty.call(ASSIGNMENT_LIST_JA, key)) {
    return ASSIGNMENT_LIST_JA[key];
  }
  const start = Object.keys(ASSIGNMENT_LIST_JA_STARTS).find(s => trimmed.startsWith(s));
  return start === undefined ? undefined : ASSIGNMENT_LIST_JA_STARTS[start];
}
