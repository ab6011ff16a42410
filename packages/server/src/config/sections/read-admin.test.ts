import { parse, problem, useScratchDir } from '../../../test/helpers/config-fixture.js';

useScratchDir();

describe('admin', () => {
  it('reads the address and the token', () => {
    expect(parse('admin: { listen: "127.0.0.1:9000", token: 0123456789abcdef0123 }').admin).toEqual({ host: '127.0.0.1', port: 9000, token: '0123456789abcdef0123' });
    expect(parse('admin: { listen: "[::1]:9000", token: 0123456789abcdef0123 }').admin).toMatchObject({ host: '::1', port: 9000 });
  });

  it('needs a token and a HOST:PORT', () => {
    expect(problem('admin: { listen: "127.0.0.1:9000" }', 'admin.token')).toMatch(/is required with admin/);
    expect(problem('admin: { listen: "9000", token: 0123456789abcdef0123 }', 'admin.listen')).toMatch(/is not HOST:PORT/);
  });
});
