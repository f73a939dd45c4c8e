import { localizeText } from '.';

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
