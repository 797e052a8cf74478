export type StructuredData = Record<string, Record<string, string>>;

// SD-NAME: printable US-ASCII except `=`, space, `]` and `"` (RFC 5424 §6.3.3).
const SD_NAME = /[^\s="\]]+/y;
const VALUE_SPECIAL = /["\\]/g;

/**
 * Reads one or more SD-ELEMENTs (`[id k="v"][id2 …]`) from `start`. Inside a value `\"`, `\\` and
 * `\]` stand for the character; any other backslash is kept as it is. Returns undefined when the
 * text is not well-formed structured data, so the caller can keep it as message text instead.
 */
export function readStructuredData(
  text: string,
  start: number,
): { data: StructuredData; end: number } | undefined {
  // Null prototypes: SD-IDs and names come from the network (`[__proto__ …]`).
  const data: StructuredData = Object.create(null);
  let i = start;
  while (text[i] === '[') {
    const id = readName(text, i + 1);
    if (id === undefined) return undefined;
    i += 1 + id.length;
    const params: Record<string, string> = data[id] ?? (data[id] = Object.create(null));
    while (text[i] === ' ') {
      while (text[i] === ' ') i++;
      if (text[i] === ']') break;
      const name = readName(text, i);
      if (
        name === undefined ||
        text[i + name.length] !== '=' ||
        text[i + name.length + 1] !== '"'
      ) {
        return undefined;
      }
      const value = readValue(text, i + name.length + 2);
      if (value === undefined) return undefined;
      // A repeated param (allowed by the RFC) keeps every value.
      params[name] = name in params ? `${params[name]},${value.value}` : value.value;
      i = value.end;
    }
    if (text[i] !== ']') return undefined;
    i++;
  }
  return i === start ? undefined : { data, end: i };
}

function readName(text: string, at: number): string | undefined {
  SD_NAME.lastIndex = at;
  const match = SD_NAME.exec(text);
  return match ? match[0] : undefined;
}

/** A PARAM-VALUE from just after its opening quote to just after its closing quote. */
function readValue(text: string, at: number): { value: string; end: number } | undefined {
  let value = '';
  let i = at;
  for (;;) {
    VALUE_SPECIAL.lastIndex = i;
    const special = VALUE_SPECIAL.exec(text);
    if (!special) return undefined; // no closing quote
    value += text.slice(i, special.index);
    if (special[0] === '"') return { value, end: special.index + 1 };
    const next = text[special.index + 1];
    if (next === '"' || next === '\\' || next === ']') {
      value += next;
      i = special.index + 2;
    } else {
      value += '\\';
      i = special.index + 1;
    }
  }
}
