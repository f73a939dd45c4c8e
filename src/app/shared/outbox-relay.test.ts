import { outboxRelay, type Outbox } from './outbox-relay';

function memoryOutbox(entries: string[]): Outbox<string> & { left: Set<string> } {
  const left = new Set(entries);
  return {
    left,
    pending: async () => [...left],
    done: async (e) => {
      left.delete(e);
    },
  };
}

describe('outboxRelay', () => {
  test('handOn carries an entry out, then takes it out of the outbox', async () => {
    const box = memoryOutbox(['a']);
    const carried: string[] = [];
    const relay = outboxRelay(
      box,
      async (e) => void carried.push(e),
      () => undefined,
    );
    expect(await relay.handOn('a')).toBe(true);
    expect(carried).toEqual(['a']);
    expect(box.left.size).toBe(0);
  });

  test('a failed hand-on is told and leaves the entry for the relay', async () => {
    const box = memoryOutbox(['a']);
    const errors: Array<[string, string]> = [];
    let down = true;
    const relay = outboxRelay(
      box,
      async () => {
        if (down) throw new Error('queue down');
      },
      (err, e) => errors.push([e, (err as Error).message]),
    );
    expect(await relay.handOn('a')).toBe(false);
    expect(errors).toEqual([['a', 'queue down']]);
    expect([...box.left]).toEqual(['a']);
    down = false;
    expect(await relay.relay(0)).toBe(1);
    expect(box.left.size).toBe(0);
  });

  test('the relay stops at the first failure and keeps what it could not carry out', async () => {
    const box = memoryOutbox(['a', 'b', 'c']);
    const relay = outboxRelay(
      box,
      async (e) => {
        if (e === 'b') throw new Error('no');
      },
      () => undefined,
    );
    await expect(relay.relay(0)).rejects.toThrow('no');
    expect([...box.left]).toEqual(['b', 'c']);
  });
});
