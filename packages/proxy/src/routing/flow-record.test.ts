import type { Flow } from '@herald/stack';
import type { FlowRef } from '@herald/store';

/** Each type is assignable to the other: `never` when they differ. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;

describe("the store's FlowRef is the stack's Flow, stored", () => {
  it('has the same fields of the same types (checked by the type checker)', () => {
    const same: Same<FlowRef, Flow> = true;
    expect(same).toBe(true);
  });
});
