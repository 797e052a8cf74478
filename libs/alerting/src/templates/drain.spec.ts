import { Drain, templateText, tokenize, WILDCARD } from './drain';

describe('Drain template miner', () => {
  it('masks tokens with digits as parameters', () => {
    expect(tokenize('  Connection  from 10.0.0.1 port 5522 closed ')).toEqual([
      'Connection',
      'from',
      WILDCARD,
      'port',
      WILDCARD,
      'closed',
    ]);
  });

  it('folds lines that differ in parameters into one template, generalising it', () => {
    const drain = new Drain();
    const first = drain.learn('User alice logged in from 10.0.0.1');
    const second = drain.learn('User bob logged in from 10.0.0.2');
    const third = drain.learn('User carol logged in from 10.0.0.3');
    expect(first.created).toBe(true);
    expect(second).toMatchObject({ created: false });
    expect(third.template.id).toBe(first.template.id);
    expect(templateText(third.template.tokens)).toBe('User <*> logged in from <*>');
    expect(drain.size).toBe(1);
  });

  it('tells different events apart', () => {
    const drain = new Drain();
    const lines = [
      'User alice logged in from 10.0.0.1',
      'Disk /dev/sda1 is 91% full',
      'User bob logged in from 10.0.0.2',
      'Payment declined for order 42: card expired',
      'Disk /dev/sdb1 is 95% full',
      'Payment declined for order 43: insufficient funds',
      'Cache miss for key user:17',
    ];
    const ids = lines.map((line) => drain.learn(line).template.id);
    expect(ids).toEqual([0, 1, 0, 2, 1, 2, 3]);
    expect(templateText(drain.template(1)?.tokens ?? [])).toBe('Disk <*> is <*> full');
  });

  it('matches against templates learned elsewhere, by id, without creating any', () => {
    const drain = new Drain();
    drain.add(['User', WILDCARD, 'logged', 'in', 'from', WILDCARD], 17);
    expect(drain.match(tokenize('User dave logged in from 10.1.1.1'))?.id).toBe(17);
    expect(drain.match(tokenize('Something else entirely'))).toBeUndefined();
    expect(drain.size).toBe(1);
  });

  it('stops learning at maxTemplates', () => {
    const drain = new Drain({ maxTemplates: 2 });
    drain.learn('alpha one');
    drain.learn('beta two three');
    expect(drain.full).toBe(true);
  });

  it('keeps the tree bounded: past maxChildren distinct first tokens share a wildcard branch', () => {
    const drain = new Drain({ maxChildren: 3 });
    for (const word of ['a', 'b', 'c', 'd', 'e']) drain.learn(`${word} happened today`);
    // d and e went down the shared branch: they are one template there.
    expect(drain.size).toBe(4);
  });
});
