/** Markup that is already safe: made only by `html`, so nothing outside it is trusted. */
export class Html {
  constructor(readonly markup: string) {}

  toString(): string {
    return this.markup;
  }
}

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes for text and for quoted attribute values alike. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ENTITIES[char]);
}

/**
 * A template whose every interpolated value is escaped, unless it is itself `Html`: escaping is
 * the default, so a message, a name or an issue from Redis can never become markup. Arrays are
 * joined; undefined, null and false render as nothing (for optional parts).
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let markup = strings[0];
  values.forEach((value, index) => {
    markup += fragment(value) + strings[index + 1];
  });
  return new Html(markup);
}

function fragment(value: unknown): string {
  if (value instanceof Html) return value.markup;
  if (Array.isArray(value)) return value.map(fragment).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}
