import { availableParallelism } from 'node:os';
import { parse, problem, useScratchDir } from '../../../test/helpers/config-fixture.js';

useScratchDir();

describe('workers', () => {
  it('is one process on the embedded store and one per core on Redis', () => {
    expect(parse('').workers).toBe(1);
    expect(parse('store: redis://127.0.0.1:6379').workers).toBe(availableParallelism());
    expect(parse('store: redis://127.0.0.1:6379\nworkers: 3').workers).toBe(3);
  });

  it('refuses several workers on the embedded store', () => {
    expect(problem('workers: 2', 'workers')).toMatch(/^workers: 2 workers need a shared store/);
  });
});
