/**
 * Manabu's JupyterLab extension: one plugin per file, listed here.
 * To add a plugin: write src/<name>.ts exporting a JupyterFrontEndPlugin, import it
 * below and add it to the list.
 */
import furigana from './furigana';
import answers from './answers';
import edits from './edits';
import studentView from './studentView';
import myLessons from './panel';
import narrowScreen from './narrowScreen';
import assignmentList from './assignmentList';
import menus from './menus';
import settings from './settings';
import reflows from './reflows';
import workspaceState from './workspaceState';
import schoolFont from './schoolFontFace';
import selections from './selections';
import earlySession from './earlySession';

export default [furigana, answers, edits, studentView, myLessons, narrowScreen, assignmentList,
  menus, settings, reflows, workspaceState, schoolFont, selections, earlySession];
