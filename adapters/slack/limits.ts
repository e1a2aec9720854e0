/**
 * Block Kit limits the renderer must respect. Slack rejects a message with `invalid_blocks` when any
 * is exceeded, so the renderer enforces them rather than hoping views stay small.
 * @see https://docs.slack.dev/reference/block-kit/blocks
 * @see https://docs.slack.dev/reference/block-kit/block-elements
 */
export const BLOCK_KIT = {
  blocksPerMessage: 50,
  elementsPerActions: 25,
  sectionText: 3000,
  sectionFields: 10,
  sectionFieldText: 2000,
  headerText: 150,
  contextElements: 10,
  contextText: 2000,
  buttonText: 75,
  buttonValue: 2000,
  actionId: 255,
  overflowOptions: 5,
  optionText: 75,
  optionValue: 75,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  /** Visible text across all blocks, and separately the fallback `text`. */
  messageChars: 12_000,
} as const;

/**
 * Caps chosen so that the fixed parts of a status message plus one maximal participant row always
 * fit in one message; real views use far fewer buttons.
 */
export const STATUS_CAPS = {
  rowButtons: 5,
  roomButtons: 10,
  bannerChars: 500,
  summaryListChars: 1500,
} as const;
