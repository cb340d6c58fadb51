/// <reference lib="dom" />
// Small DOM helpers: find an element of a known type, make one with attributes and children.

type Constructor<T> = { new (): T; prototype: T };

/** The element with this id, which must exist and be of this type (a wrong page is a bug, not a state). */
export function byId<T extends HTMLElement>(id: string, type: Constructor<T>): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`#${id} is missing or not a ${type.name}`);
  return found;
}

export function element<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | boolean> = {},
  ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === true) node.setAttribute(name, '');
    else if (value !== false) node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}
