/**
 * Teams' one escaping function for text it parses: an activity with `textFormat: 'xml'` (the
 * thread reply that @mentions someone) reads `<at>`, `<a href>` and other tags; every character
 * that could open or close one becomes a numeric entity. Everything else the bot sends is parsed
 * by nothing: plain-text activities (`textFormat: 'plain'`) and Adaptive Card TextRuns.
 */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
