import { csvNumberCell, csvRecord, csvTextCell } from './csv';

describe('CSV cells', () => {
  it.each([
    ["=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"],
    ['+1+2', "'+1+2"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\r=1', `"'\r=1"`],
    ['=1,2', `"'=1,2"`],
    ['say "hi"', '"say ""hi"""'],
    ['a,b', '"a,b"'],
    ['line 1\nline 2', '"line 1\nline 2"'],
    ['plain', 'plain'],
    ['', ''],
  ])('%j → %j', (text, cell) => expect(csvTextCell(text)).toBe(cell));

  it('leaves empty values empty and numbers unguarded', () => {
    expect(csvTextCell(null)).toBe('');
    expect(csvNumberCell(null)).toBe('');
    expect(csvNumberCell(-1.5)).toBe('-1.5');
    expect(csvRecord(['a', '', '"b,c"'])).toBe('a,,"b,c"\r\n');
  });
});
