import { toServerRef } from '../alerts/host-name';
import { findStep } from './catalog';
import { followGoto } from './follow-goto';
import { loadCatalog } from '../../infra/files/load-catalog';
import { matchRunbook } from './match-runbook';

const catalog = loadCatalog();

describe('followGoto', () => {
  const ctp = matchRunbook(catalog, { monitor: 'PopCTPMonitor', healthSet: 'POP' });
  const from = {
    server: toServerRef('CAS01.contoso.com'),
    relatedServer: toServerRef('MBX01.contoso.com'),
    healthSet: 'POP',
    monitor: ctp.monitor,
  };

  it('hands the _Mbx mailbox server over to the deep-test section', () => {
    const goto = findStep(ctp.section, 'pop-ctp.3.6')?.goto;
    if (!goto) throw new Error('no goto');
    const r = followGoto(catalog, goto, from);
    expect(r?.section.id).toBe('pop-deep');
    expect(r?.server?.name).toBe('MBX01.contoso.com');
    expect(r?.relatedServer).toBeNull();
    expect(r?.monitor?.name).toBe('PopDeepTestMonitor');
    expect(r?.probe).toMatchObject({ name: 'PopDeepTestProbe', healthSet: 'POP.Protocol' });
    expect(r?.healthSet).toBe('POP.Protocol');
  });

  it('goes from the verify procedure to the failing monitor’s recovery section', () => {
    const verify = catalog.sections.get('pop-verify');
    const goto = verify && findStep(verify, 'pop-verify.2.4')?.goto;
    if (!goto) throw new Error('no goto');
    expect(followGoto(catalog, goto, from)?.section.id).toBe('pop-ctp');
    expect(followGoto(catalog, goto, { ...from, monitor: null })).toBeNull();
  });
});
