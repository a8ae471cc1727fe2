import { describe, expect, it } from 'vitest';
import { formatLogPositions } from '@session-authority/event-log';
import { parsePositionHeader } from '@session-authority/revocations';

/** The authority writes the header; downstream services read it with the client's parser. */
const parseLogPositions = (text: string) => {
  const positions = parsePositionHeader(text);
  return positions === undefined
    ? undefined
    : [...positions].map(([partition, offset]) => ({ partition, offset }));
};

describe('the Session-Log-Position header, written by the authority and read by the client', () => {
  it('names the highest offset of each partition, in partition order, and reads back', () => {
    const text = formatLogPositions([
      { partition: 3, offset: 7n },
      { partition: 0, offset: 12n },
      { partition: 3, offset: 9n },
    ]);
    expect(text).toBe('0:12,3:9');
    expect(parseLogPositions(text)).toEqual([
      { partition: 0, offset: 12n },
      { partition: 3, offset: 9n },
    ]);
    expect(parseLogPositions('1:9223372036854775807')).toEqual([
      { partition: 1, offset: 9223372036854775807n },
    ]);
  });

  it.each(['', '1', '1:', ':2', '1:2,', 'a:b', '1:2;3:4', '-1:2'])(
    '%j is not a position header',
    (text) => {
      expect(parseLogPositions(text)).toBeUndefined();
    },
  );
});
