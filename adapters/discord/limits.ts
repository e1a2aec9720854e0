import type { AdapterLimits } from '../../src/core/adapter.ts';

/**
 * Discord's message limits, and the adapter's limits for the core.
 * @see https://discord.com/developers/docs/resources/message#embed-object-embed-limits
 * @see https://discord.com/developers/docs/components/reference
 */
export const EMBED = {
  title: 256,
  description: 4096,
  fields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  total: 6000,
} as const;

export const COMPONENTS = {
  rows: 5,
  buttonsPerRow: 5,
  buttonLabel: 80,
  customId: 100,
  selectOptions: 25,
  optionLabel: 100,
  optionDescription: 100,
  optionValue: 100,
  placeholder: 150,
} as const;

export const CONTENT_MAX = 2000;

/** Autocomplete answers: at most 25 choices, names and values up to 100 characters. */
export const AUTOCOMPLETE = { choices: 25, name: 100, value: 100 } as const;

export const DISCORD_LIMITS: AdapterLimits = {
  // Discord's per-message edit bucket allows about 5 edits per 5 s; one a second leaves headroom.
  minEditIntervalMs: 1000,
  // Participant buttons fold into a select menu inside the adapter; one menu holds 25 options.
  maxButtonsPerMessage: 500,
  maxRowsPerPage: COMPONENTS.selectOptions,
  maxTextLength: EMBED.description,
  ackDeadlineMs: 3000,
};
