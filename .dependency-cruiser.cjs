// The layer rules, checked by `npm run lint` (depcruise). The layers, inside out:
//   src/domain  the pure model             imports nothing outside itself (zod, yaml, luxon, crypto)
//   src/app     use cases over ports       imports the domain
//   src/infra   Redis, HTTP, files, config imports app and domain
//   jobs/       queues, delivery, worker   imports infra, app, domain
//   adapters/   one folder per platform    imports infra, app, domain; never each other
//   src/main    the composition root       imports everything; imported only by src/cli
// docs/architecture.md explains why; each rule's comment is what a violation prints.

/** Tests sit beside the code they test and may read files or start servers. */
const TESTS = '\\.test\\.ts$';
const SDKS =
  '^(@slack|botbuilder|botframework|bullmq|ioredis|express|node-powershell|@bull-board|pino|prom-client)';

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules must not import each other in a circle: move the shared part down a layer.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-folder-cycles',
      severity: 'error',
      comment:
        'Folders must not import each other in a circle (a depends on b and b on a): the layer map in docs/architecture.md says which way each import goes.',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'ioredis-only-through-create-redis',
      severity: 'error',
      comment:
        'Redis connections are opened by createRedis (src/infra/redis/redis.ts), which reads REDIS_URL the same way everywhere (plain, Sentinel, Cluster); take its RedisClient type instead of importing ioredis.',
      from: { pathNot: '^src/infra/redis/redis\\.ts$' },
      to: { path: '(^|/)node_modules/ioredis/' },
    },
    {
      name: 'domain-imports-only-domain',
      severity: 'error',
      comment:
        'src/domain is the pure model: it imports nothing from the use cases, edges or composition root.',
      from: { path: '^src/domain/', pathNot: TESTS },
      to: { path: '^(src/(app|infra|main|cli)|adapters|jobs|test|bench)/' },
    },
    {
      name: 'domain-has-no-io',
      severity: 'error',
      comment:
        'src/domain does no I/O and knows no SDK: only zod, yaml, luxon and node:crypto (hashing, HMAC) from outside. Put I/O behind a port in src/app.',
      from: { path: '^src/domain/', pathNot: TESTS },
      to: {
        dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'core'],
        pathNot: '((^|/)node_modules/(zod|yaml|luxon)/|^crypto$|^node:crypto$)',
      },
    },
    {
      name: 'app-imports-no-edge',
      severity: 'error',
      comment:
        'src/app holds the use cases over ports: the Redis, HTTP and chat implementations are handed in, never imported.',
      from: { path: '^src/app/', pathNot: TESTS },
      to: { path: '^(src/(infra|main|cli)|adapters|jobs|test|bench)/' },
    },
    {
      name: 'app-has-no-io',
      severity: 'error',
      comment: 'src/app does no I/O of its own and knows no SDK: ask a port.',
      from: { path: '^src/app/', pathNot: TESTS },
      to: {
        dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'core'],
        pathNot: '((^|/)node_modules/(zod|yaml)/|^crypto$|^node:crypto$)',
      },
    },
    {
      name: 'infra-imports-no-outer-layer',
      severity: 'error',
      comment:
        'src/infra implements ports for the core; jobs, adapters and the composition root use it, not the other way round.',
      from: { path: '^src/infra/', pathNot: TESTS },
      to: { path: '^(src/(main|cli)|adapters|jobs|test|bench)/' },
    },
    {
      name: 'jobs-import-no-adapter-or-root',
      severity: 'error',
      comment:
        'jobs/ talks to chat platforms only through the ChatSurface port; the composition root wires them together.',
      from: { path: '^jobs/', pathNot: TESTS },
      to: { path: '^(src/(main|cli)|adapters|test|bench)/' },
    },
    {
      name: 'adapters-import-no-job-or-root',
      severity: 'error',
      comment:
        'An adapter parses, calls the core and renders: queues and wiring belong to jobs/ and src/main.',
      from: { path: '^adapters/', pathNot: TESTS },
      to: { path: '^(src/(main|cli)|jobs|test|bench)/' },
    },
    {
      name: 'adapters-are-independent',
      severity: 'error',
      comment: 'One chat platform never imports another: share through the core (src/) instead.',
      from: { path: '^adapters/([^/]+)/' },
      to: { path: '^adapters/[^/]+/', pathNot: '^adapters/$1/' },
    },
    {
      name: 'only-the-cli-imports-the-root',
      severity: 'error',
      comment:
        'src/main is the composition root: only the CLI (and tests and benchmarks) start it.',
      from: { pathNot: '^(src/(main|cli)|test|bench)/|' + TESTS },
      to: { path: '^src/main/' },
    },
    {
      name: 'sdks-stay-at-the-edges',
      severity: 'error',
      comment:
        'Platform SDKs, queues and Redis clients are used in src/infra, src/main, jobs and adapters only.',
      from: { path: '^src/(domain|app)/', pathNot: TESTS },
      to: { path: SDKS },
    },
    {
      name: 'slack-sdk-only-in-slack-adapter',
      severity: 'error',
      comment: 'Slack SDK types never leave adapters/slack.',
      from: { pathNot: '^adapters/slack/|^test/' },
      to: { path: '(^|/)node_modules/@slack/' },
    },
    {
      name: 'teams-sdk-only-in-teams-adapter',
      severity: 'error',
      comment: 'botbuilder types never leave adapters/teams.',
      from: { pathNot: '^adapters/teams/|^test/' },
      to: { path: '(^|/)node_modules/(botbuilder|botframework)' },
    },
    {
      name: 'simulated-exchange-is-dev-only',
      severity: 'error',
      comment: 'The simulated Exchange is for the demo and tests; production code never loads it.',
      from: {
        path: '^(src|adapters|jobs)/',
        pathNot: '^(src/cli/commands/(demo|send-alert)\\.ts|jobs/simulated-exchange/)|' + TESTS,
      },
      to: { path: '^jobs/simulated-exchange/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Tests and benchmarks may import anything (fixtures, fakes, the composition root): they are
    // left out, so the rules speak of the product alone.
    exclude: { path: '^(dist|coverage|node_modules|test-artifacts|test|bench)/|' + TESTS },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['main', 'types', 'typings'],
    },
  },
};
