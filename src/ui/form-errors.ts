/// <reference lib="dom" />
// API error messages shown next to the field they concern, or under the form when they name none.
import { ApiError } from './api.ts';
import { element } from './dom.ts';

type Field = HTMLInputElement | HTMLSelectElement;

/** The message element of a field, made on first use and tied to it with aria-describedby. */
function messageOf(field: Field): HTMLElement {
  const id = `${field.id}-error`;
  const existing = document.getElementById(id);
  if (existing) return existing;
  const message = element('p', { id, class: 'field-error', 'aria-live': 'polite' });
  (field.closest('.field') ?? field).after(message);
  field.setAttribute('aria-describedby', [field.getAttribute('aria-describedby'), id].filter(Boolean).join(' '));
  return message;
}

export function showFieldError(field: Field, message: string) {
  field.setAttribute('aria-invalid', 'true');
  messageOf(field).textContent = message;
}

/** The form's own message area: an aria-live paragraph with the class `form-error`. */
function formMessage(form: HTMLFormElement): HTMLElement {
  const found = form.querySelector<HTMLElement>('.form-error');
  if (found) return found;
  const message = element('p', { class: 'form-error', role: 'alert' });
  form.querySelector('[type=submit]')?.before(message);
  return message;
}

export function clearErrors(form: HTMLFormElement) {
  for (const field of form.querySelectorAll('[aria-invalid]')) field.removeAttribute('aria-invalid');
  for (const message of form.querySelectorAll('.field-error, .form-error')) message.textContent = '';
}

/**
 * Shows an error next to the first field whose rule matches the message (and focuses that field),
 * otherwise under the form. Rules are tried in order: put the more specific ones first.
 */
export function showError(form: HTMLFormElement, error: unknown, rules: Array<[RegExp, Field]>) {
  const message = error instanceof ApiError ? error.message : `Something went wrong: ${String(error)}`;
  const field = rules.find(([pattern]) => pattern.test(message))?.[1];
  if (field) {
    showFieldError(field, message);
    field.focus();
  } else {
    formMessage(form).textContent = message;
  }
}
