/**
 * Serialises response data to AWS XML. Objects become elements named after their keys, arrays
 * become `<member>` (awsQuery) or `<item>` (EC2) lists — an empty array is an empty element, which
 * the SDK reads as `[]`, so list members are always present — and `undefined` members are left out.
 */

/** Pre-rendered element content, emitted verbatim (used to cache large, rarely changing shapes). */
export class RawXml {
  readonly xml: string;
  constructor(xml: string) {
    this.xml = xml;
  }
}

export type XmlValue =
  | string
  | number
  | boolean
  | Date
  | RawXml
  | undefined
  | readonly XmlValue[]
  // Any record of XmlValues; `object` so that readonly interfaces (AWS shapes) are accepted as they are.
  | object;

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

/** The content (children or text) of an element holding `value`. */
export function xmlContent(value: XmlValue, itemName = 'member'): string {
  if (value === undefined) return '';
  if (typeof value === 'string') return escapeXml(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value instanceof Date) return value.toISOString();
  if (value instanceof RawXml) return value.xml;
  if (Array.isArray(value)) {
    let out = '';
    for (const item of value as readonly XmlValue[]) out += xmlElement(itemName, item, itemName);
    return out;
  }
  let out = '';
  for (const [key, child] of Object.entries(value) as Array<[string, XmlValue]>) {
    if (child !== undefined) out += xmlElement(key, child, itemName);
  }
  return out;
}

export function xmlElement(name: string, value: XmlValue, itemName = 'member'): string {
  if (value === undefined) return '';
  const content = xmlContent(value, itemName);
  return content === '' ? `<${name}/>` : `<${name}>${content}</${name}>`;
}
