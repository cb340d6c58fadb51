/// <reference lib="dom" />
// "Change format": a modal dialog with the conversion fields, sending PUT /api/tasks/:id.
import { convertAgain, type Task } from './api.ts';
import { conversionFields } from './conversion-fields.ts';
import { byId } from './dom.ts';
import { clearErrors, showError } from './form-errors.ts';

export function convertDialog(onConverted: (task: Task) => void) {
  const dialog = byId('convert-dialog', HTMLDialogElement);
  const form = byId('convert-form', HTMLFormElement);
  const fileName = byId('convert-file', HTMLElement);
  const submit = form.querySelector('[type=submit]') as HTMLButtonElement;
  const fields = conversionFields(byId('convert-conversion', HTMLElement), 'convert');
  let task: Task | null = null;

  byId('convert-cancel', HTMLButtonElement).addEventListener('click', () => dialog.close());

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (!task) return;
    const id = task.id;
    clearErrors(form);
    submit.disabled = true;
    convertAgain(id, fields.read())
      .then((updated) => {
        dialog.close();
        onConverted(updated);
      })
      .catch((error: unknown) => showError(form, error, fields.errorRules()))
      .finally(() => {
        submit.disabled = false;
      });
  });

  return {
    open(chosen: Task) {
      task = chosen;
      clearErrors(form);
      fileName.textContent = `${chosen.fileName}, now ${chosen.targetFormat}`;
      fields.set({ newFormat: chosen.targetFormat, ...chosen.options });
      dialog.showModal();
      fields.format.focus();
    },
    close: () => dialog.close(),
  };
}
