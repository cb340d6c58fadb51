/// <reference lib="dom" />
// Choose files and a target; each file uploads with its own progress bar.
import { SOURCE_FORMAT_NAMES } from '../audio/formats.ts';
import { ApiError, uploadTask, type Conversion, type Task } from './api.ts';
import { conversionFields } from './conversion-fields.ts';
import { byId, element } from './dom.ts';

/** One file's row: name, progress bar, and what happened. */
function uploadRow(file: File) {
  const bar = element('progress', { max: '1', value: '0', 'aria-label': `Upload of ${file.name}` });
  const state = element('span', { class: 'upload-state' }, 'Waiting');
  const row = element('li', { class: 'upload' }, element('span', { class: 'upload-name' }, file.name), bar, state);
  return {
    row,
    progress(fraction: number) {
      bar.value = fraction;
      state.textContent = `${Math.floor(fraction * 100)} %`;
    },
    done() {
      bar.value = 1;
      row.classList.add('ok');
      state.textContent = 'Uploaded';
    },
    failed(message: string) {
      row.classList.add('failed');
      state.textContent = message;
    },
  };
}

export function uploadView(onUploaded: (task: Task) => void, announce: (message: string) => void) {
  const form = byId('upload-form', HTMLFormElement);
  const files = byId('upload-files', HTMLInputElement);
  const list = byId('uploads', HTMLUListElement);
  const submit = form.querySelector('[type=submit]') as HTMLButtonElement;
  const conversion = conversionFields(byId('upload-conversion', HTMLElement), 'upload');
  files.accept = ['audio/*', ...SOURCE_FORMAT_NAMES.map((extension) => `.${extension}`)].join(',');

  async function send(file: File, target: Conversion): Promise<boolean> {
    const row = uploadRow(file);
    list.append(row.row);
    try {
      const task = await uploadTask(file, target, row.progress);
      row.done();
      onUploaded(task);
      return true;
    } catch (error) {
      row.failed(error instanceof ApiError ? error.message : String(error));
      return false;
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const chosen = [...(files.files ?? [])];
    if (chosen.length === 0) return;
    list.replaceChildren();
    submit.disabled = true;
    const target = conversion.read();
    void Promise.all(chosen.map((file) => send(file, target))).then((results) => {
      submit.disabled = false;
      files.value = '';
      const failed = results.filter((ok) => !ok).length;
      announce(failed ? `${failed} of ${results.length} uploads failed` : `${results.length} ${results.length === 1 ? 'file' : 'files'} uploaded`);
    });
  });

  return {
    reset() {
      form.reset();
      list.replaceChildren();
      conversion.set({ newFormat: 'mp3' });
    },
  };
}
