/// <reference lib="dom" />
// The single page: the log-in screen, or the uploads and the task list once a token is kept.
import { session, whenUnauthorized } from './api.ts';
import { authView } from './auth-view.ts';
import { convertDialog } from './convert-dialog.ts';
import { byId } from './dom.ts';
import { taskList } from './task-list.ts';
import { uploadView } from './upload-view.ts';

const announcer = byId('announcer', HTMLElement);
/** Says something to screen-reader users without moving their focus. */
function announce(message: string) {
  // Clearing first makes the same message twice in a row be read twice.
  announcer.textContent = '';
  setTimeout(() => (announcer.textContent = message), 50);
}

const account = byId('account', HTMLElement);
const accountName = byId('account-name', HTMLElement);
const tasksView = byId('tasks-view', HTMLElement);

const tasks = taskList(announce, (task) => dialog.open(task));
const dialog = convertDialog(() => void tasks.refresh());
const uploads = uploadView(() => void tasks.refresh(), announce);
const auth = authView(showTasks);

function showTasks() {
  auth.hide();
  accountName.textContent = `Logged in as ${session.username()}`;
  account.hidden = false;
  tasksView.hidden = false;
  void tasks.start();
}

function showLogin(message = '') {
  tasks.stop();
  uploads.reset();
  dialog.close();
  account.hidden = true;
  tasksView.hidden = true;
  auth.show(message);
}

byId('logout', HTMLButtonElement).addEventListener('click', () => {
  session.forget();
  showLogin();
  announce('Logged out');
});

whenUnauthorized((message) => {
  session.forget();
  showLogin(message);
});

if (session.token()) showTasks();
else showLogin();
