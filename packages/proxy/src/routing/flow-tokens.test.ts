import { FlowTokens } from './flow-tokens.js';

const FLOWS = { caller: { owner: 'host~1~a', id: 'f1', transport: 'tcp' as const }, callee: null };

describe('RFC 5626 §5.2 flow tokens', () => {
  it('decode what they encode, for the Call-ID they were made for only', () => {
    const tokens = new FlowTokens('secret-one');
    const token = tokens.encode(FLOWS, 'call-1');
    expect(tokens.decode(token, 'call-1')).toEqual(FLOWS);
    expect(tokens.decode(token, 'call-2')).toBeNull();
    expect(new FlowTokens('another').decode(token, 'call-1')).toBeNull();
  });

  it('after a new secret, sign with it and still accept the tokens of the one before, not older', () => {
    const tokens = new FlowTokens('secret-one');
    const first = tokens.encode(FLOWS, 'call-1');
    tokens.useSecret('secret-two');
    const second = tokens.encode(FLOWS, 'call-1');
    expect(new FlowTokens('secret-two').decode(second, 'call-1')).toEqual(FLOWS);
    expect(tokens.decode(first, 'call-1')).toEqual(FLOWS);
    tokens.useSecret('secret-three');
    expect(tokens.decode(second, 'call-1')).toEqual(FLOWS);
    expect(tokens.decode(first, 'call-1')).toBeNull();
  });
});
