import { BadRequestException } from '@nestjs/common';

/** What a source name may hold: the same rule as the `source` parameter of /api/v1/ingest. */
const SOURCE_PATTERN = /^[\w.\-:/@]{1,128}$/;

/**
 * The `source` query parameter of a compatibility endpoint, checked like /api/v1/ingest does.
 * (Read by hand rather than through a DTO: shippers add their own parameters, such as Vector's
 * `timeout` or Filebeat's `filter_path`, which a whitelisting DTO would refuse.)
 */
export function sourceParam(value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !SOURCE_PATTERN.test(value)) {
    throw new BadRequestException(
      'source may hold letters, digits and . _ - : / @ (1 to 128 characters), given once',
    );
  }
  return value;
}

/**
 * A source name made from a name the shipper chose (an index, a Loki label): characters a source
 * may not hold become `_`, and it is cut to 128 characters. Undefined when nothing is left.
 */
export function sourceFromName(name: unknown): string | undefined {
  if (typeof name !== 'string') return undefined;
  const cleaned = name
    .trim()
    .replace(/[^\w.\-:/@]/g, '_')
    .slice(0, 128);
  return cleaned === '' ? undefined : cleaned;
}
