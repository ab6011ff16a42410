// The dependency rules of DESIGN.md, checked in CI (`npm run lint`). Packages are resolved
// to their sources (tsconfig.test.json maps @herald/* to packages/*/src/index.ts), and type-only
// imports count: a circle of types is still a circle in the design.
const SERVICES = '(auth|registrar|im|presence)';
/** Unit tests beside the code may also use the test kit; the layering rules are for shipped sources. */
const TEST = '\\.test\\.ts$';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import circle, type-only imports included.',
      from: { path: '^packages/[^/]+/src/' },
      to: { circular: true },
    },
    {
      name: 'no-deep-package-import',
      severity: 'error',
      comment: "Another package is entered through its index.ts only.",
      from: { path: '^packages/([^/]+)/' },
      to: { path: '^packages/', pathNot: ['^packages/$1/', '^packages/[^/]+/src/index\\.ts$'] },
    },
    {
      name: 'sip-is-pure',
      severity: 'error',
      comment: '@herald/sip is the message alone: it imports no other package.',
      from: { path: '^packages/sip/src/', pathNot: TEST },
      to: { path: '^packages/(?!sip/)' },
    },
    {
      name: 'stack-over-sip-only',
      severity: 'error',
      comment: '@herald/stack sits on @herald/sip alone.',
      from: { path: '^packages/stack/src/', pathNot: TEST },
      to: { path: '^packages/(?!(stack|sip)/)' },
    },
    {
      name: 'transport-under-transaction',
      severity: 'error',
      comment: 'Inside @herald/stack the transaction layer sits on the transports, never the other way.',
      from: { path: '^packages/stack/src/transport/' },
      to: { path: '^packages/stack/src/transaction/' },
    },
    {
      name: 'store-knows-no-sip',
      severity: 'error',
      comment: '@herald/store holds records, not messages: it imports no SIP package.',
      from: { path: '^packages/store/src/', pathNot: TEST },
      to: { path: '^packages/(?!store/)' },
    },
    {
      name: 'proxy-under-services',
      severity: 'error',
      comment: '@herald/proxy sees stack, sip and store; services and server are above it.',
      from: { path: '^packages/proxy/src/', pathNot: TEST },
      to: { path: '^packages/(?!(proxy|stack|sip|store)/)' },
    },
    {
      name: 'services-see-the-tu-only',
      severity: 'error',
      comment: 'A service sees the request context the transaction user hands it, never the stack.',
      from: { path: `^packages/${SERVICES}/src/`, pathNot: TEST },
      to: { path: '^packages/stack/' },
    },
    {
      name: 'no-service-to-service',
      severity: 'error',
      comment: 'Services share through the store or typed events, never by importing each other.',
      from: { path: `^packages/${SERVICES}/` },
      to: { path: `^packages/${SERVICES}/`, pathNot: '^packages/$1/' },
    },
    {
      name: 'no-test-code-shipped',
      severity: 'error',
      comment: 'Shipped sources (not *.test.ts) never import the test kit or a test helper.',
      from: { path: '^packages/(?!test-kit/)[^/]+/src/', pathNot: TEST },
      to: { path: ['^packages/test-kit/', '^packages/[^/]+/test/', '\\.test\\.ts$'] },
    },
    {
      name: 'test-kit-over-stack',
      severity: 'error',
      comment:
        "The test kit drives Herald from outside: sip and stack, and proxy for the fake request context services' unit tests hand their processors.",
      from: { path: '^packages/test-kit/src/' },
      to: { path: '^packages/(?!(test-kit|proxy|stack|sip)/)' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['/dist/', 'node_modules'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.test.json' },
    enhancedResolveOptions: { exportsFields: ['exports'], conditionNames: ['import', 'types', 'default'], extensions: ['.ts', '.js'] },
  },
};
