import { parse, problem, useScratchDir } from '../../../test/helpers/config-fixture.js';

useScratchDir();

describe('store', () => {
  it('is embedded or a Redis URL', () => {
    expect(problem('store: sqlite', 'store')).toBe(
      'store: "sqlite" is not "embedded" or a Redis URL; write embedded, or a Redis URL such as redis://127.0.0.1:6379 (rediss:// for TLS)',
    );
    expect(problem('store: "http://redis:6379"', 'store')).toContain('is not "embedded" or a Redis URL');
  });

  it('needs a Redis host', () => {
    expect(problem('store: "redis:/localhost"', 'store')).toContain('names no Redis host; write embedded, or a Redis URL');
  });

  it('takes a database number as the path', () => {
    expect(problem('store: "redis://localhost:6379/herald"', 'store')).toContain(
      'the path of a Redis URL is a database number; write e.g. redis://127.0.0.1:6379/0',
    );
  });

  it('keeps the password out of the message', () => {
    const message = problem('store: "redis://:hunter2@localhost/x"', 'store');
    expect(message).not.toContain('hunter2');
    expect(message).toContain('redis://:***@localhost/x');
  });
});

describe('redis', () => {
  it('passes a key prefix, Sentinel or Cluster nodes with the Redis URL', () => {
    expect(parse('store: redis://:pw@127.0.0.1:6379/2\nredis: { keyPrefix: "herald:", sentinels: ["10.0.0.5:26379", "10.0.0.6:26379"], name: mymaster }').store).toEqual({
      kind: 'redis',
      url: 'redis://:pw@127.0.0.1:6379/2',
      keyPrefix: 'herald:',
      sentinels: [{ host: '10.0.0.5', port: 26379 }, { host: '10.0.0.6', port: 26379 }],
      name: 'mymaster',
    });
    expect(parse('store: redis://127.0.0.1:6379\nredis: { cluster: ["10.0.0.7:7000"] }').store).toMatchObject({ cluster: [{ host: '10.0.0.7', port: 7000 }] });
  });

  it('names what is missing or does not apply', () => {
    expect(problem('redis: { keyPrefix: "h:" }', 'redis')).toMatch(/applies to a Redis store only/);
    expect(problem('store: redis://127.0.0.1:6379\nredis: { sentinels: ["10.0.0.5:26379"] }', 'redis.name')).toMatch(/is required with redis.sentinels/);
    expect(problem('store: redis://127.0.0.1:6379\nredis: { keyPrefix: "{h}" }', 'redis.keyPrefix')).toMatch(/braces/);
  });
});
