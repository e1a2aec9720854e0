import { UnsafeDialValueError } from './errors.ts';

/**
 * Config templates for channels and dialplan targets (`Local/muzak-{room}@musiconhold`). A value is
 * substituted only if it cannot change the address around it: `@` picks a context, `/` a technology
 * or option part, `,` `;` `|` separate application arguments or Local halves, `&` dials several.
 */

const ADDRESS_CHANGING = /[@/,;&|\x00-\x1f\x7f]/;

const NAMES: Readonly<Record<string, string>> = { room: 'Room name', number: 'Number' };

export function fillTemplate(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => {
    const value = values[key];
    if (value === undefined) return whole;
    if (ADDRESS_CHANGING.test(value)) throw new UnsafeDialValueError(NAMES[key] ?? key, value);
    return value;
  });
}
