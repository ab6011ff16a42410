import { parse, problem, useScratchDir } from '../../../test/helpers/config-fixture.js';

useScratchDir();

describe('proxy', () => {
  it('reads the INVITE timeout and refuses zero', () => {
    expect(parse('proxy: { inviteTimeout: 60 }').proxy).toEqual({ inviteTimeoutMs: 60_000 });
    expect(problem('proxy: { inviteTimeout: 0 }', 'proxy.inviteTimeout')).toMatch(/from 1 to/);
  });
});
