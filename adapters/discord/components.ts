import type { APIActionRowComponent, APIButtonComponent, APIComponentInMessageActionRow } from 'discord.js';
import type { ButtonView } from '../../src/core/views.ts';
import { COMPONENTS } from './limits.ts';
import { truncate } from './text.ts';

/** Button styles: 1 primary, 2 secondary, 4 danger, 5 link. */
const STYLE: Readonly<Record<ButtonView['style'], 1 | 2 | 4>> = { primary: 1, default: 2, danger: 4 };

export function buttonComponent(button: ButtonView): APIButtonComponent {
  return { type: 2, style: STYLE[button.style], label: truncate(button.label, COMPONENTS.buttonLabel), custom_id: button.id };
}

export function linkButton(url: string, label: string): APIButtonComponent {
  return { type: 2, style: 5, label: truncate(label, COMPONENTS.buttonLabel), url };
}

export function actionRow(components: APIComponentInMessageActionRow[]): APIActionRowComponent<APIComponentInMessageActionRow> {
  return { type: 1, components };
}

/** Buttons in rows of five, at most five rows; the rest are left out (views keep a typed fallback). */
export function buttonRows(buttons: readonly APIButtonComponent[]): APIActionRowComponent<APIComponentInMessageActionRow>[] {
  const rows: APIActionRowComponent<APIComponentInMessageActionRow>[] = [];
  for (let i = 0; i < buttons.length && rows.length < COMPONENTS.rows; i += COMPONENTS.buttonsPerRow) {
    rows.push(actionRow(buttons.slice(i, i + COMPONENTS.buttonsPerRow)));
  }
  return rows;
}
