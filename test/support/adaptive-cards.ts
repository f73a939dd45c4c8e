import type * as AdaptiveCards from 'adaptivecards';

// The package's lib/ is extensionless ESM that Node cannot load; dist/ is its UMD build of the
// same code, and it parses without a DOM.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const AC: typeof AdaptiveCards = require('adaptivecards/dist/adaptivecards.js');

/**
 * Every problem Microsoft's own Adaptive Cards library finds in a card: parse warnings (unknown
 * element types, bad values) and validation failures (too many actions, duplicate ids, inputs
 * without labels), as one message each.
 */
export function adaptiveCardProblems(json: object): string[] {
  const card = new AC.AdaptiveCard();
  const context = new AC.SerializationContext();
  card.parse(json, context);
  const problems: string[] = [];
  for (let i = 0; i < context.eventCount; i++) {
    problems.push(`parse: ${context.getEventAt(i).message}`);
  }
  for (const event of card.validateProperties().validationEvents) {
    problems.push(`validate: ${event.message}`);
  }
  return problems;
}
