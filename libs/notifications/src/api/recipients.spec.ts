import { parseAddressList } from './recipients';

describe('parseAddressList', () => {
  it('splits on commas, semicolons and new lines, accepts "Name <address>", drops repeats', () => {
    expect(
      parseAddressList(
        'ann@example.com, Bob <bob@example.com>;\ncarol@example.com\r\nANN@example.com,,',
      ),
    ).toEqual({
      valid: ['ann@example.com', 'bob@example.com', 'carol@example.com'],
      invalid: [],
    });
  });

  it('names what is not an address', () => {
    expect(parseAddressList('ok@example.com, nope, a@b, x@example.com <y>').invalid).toEqual([
      { value: 'nope', reason: 'not an e-mail address' },
      { value: 'a@b', reason: 'not an e-mail address' },
      { value: 'x@example.com <y>', reason: 'not an e-mail address' },
    ]);
    expect(parseAddressList(`${'a'.repeat(320)}@example.com`).invalid[0].reason).toBe(
      'longer than 320 characters',
    );
  });
});
