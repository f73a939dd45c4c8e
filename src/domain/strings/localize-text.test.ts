import { CATALOG, format, localizeText, type StringKey } from '.';

test('a text the rules built in English is shown in the channel language', () => {
  expect(
    localizeText(
      'zh-TW',
      'You are a viewer on EX01.contoso.com (site HQ); change steps need an operator or higher to ask for them.',
    ),
  ).toBe(
    '您是檢視者 (viewer)（EX01.contoso.com，站台 HQ）；變更步驟需要操作員 (operator)或更高的角色才能提出要求。',
  );
  expect(
    localizeText(
      'zh-TW',
      'step pop-deep/pop-deep.2 cannot run: server: no server is known; probe: no probe is known',
    ),
  ).toBe('步驟 pop-deep/pop-deep.2 無法執行：伺服器：不知道是哪部伺服器；探查：不知道是哪個探查');
  expect(localizeText('zh-TW', 'done (as expected)')).toBe('完成（符合預期）');
  expect(localizeText('en', 'done (as expected)')).toBe('done (as expected)');
  // Words no catalogue string made stay as they are.
  expect(localizeText('zh-TW', 'The operation could not be performed')).toBe(
    'The operation could not be performed',
  );
});

test('every said.* text, filled in, is found again and shown in zh-TW', () => {
  const sample: Record<string, string> = {
    role: 'operator',
    needed: 'approver',
    risk: 'change',
    state: 'pending',
    to: 'running',
    kind: 'check',
    param: 'server',
    count: '3',
    what: 'server',
  };
  const shown: Record<string, string> = {
    role: '操作員 (operator)',
    needed: '核准者 (approver)',
    risk: '變更',
    state: '等候核准',
    to: '執行中',
    kind: '檢查',
    param: '伺服器',
    count: '3',
    what: '伺服器',
  };
  const keys = Object.keys(CATALOG.en).filter((k) => k.startsWith('said.')) as StringKey[];
  const wrong = keys.flatMap((key) => {
    const names = [...CATALOG.en[key].matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    const given = Object.fromEntries(names.map((n, i) => [n, sample[n] ?? `EX0${i + 1}`]));
    const want = Object.fromEntries(names.map((n, i) => [n, shown[n] ?? `EX0${i + 1}`]));
    const got = localizeText('zh-TW', format(CATALOG.en[key], given));
    const expected = format(CATALOG['zh-TW'][key], want);
    return got === expected ? [] : [`${key}: ${got} (not ${expected})`];
  });
  expect(wrong).toEqual([]);
});
