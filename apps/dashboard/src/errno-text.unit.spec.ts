import { ERRNOS } from '@klp/contracts';
import { explainErrno } from './errno-text';

describe('errno explanations for operators', () => {
  it('explains every errno a command can be refused with', () => {
    for (const errno of ERRNOS) expect(explainErrno(errno)).not.toMatch(/refused with/);
  });

  it('names the stacking order in the EBUSY explanation', () => {
    expect(explainErrno('EBUSY')).toMatch(/registration order/);
  });

  it('still says something about an errno it does not know', () => {
    expect(explainErrno('ENODEV')).toBe('The kernel refused with ENODEV.');
  });
});
