// Import rules of the layers (README "Layout"; `npm run depcheck`, part of `npm test`).
// Data flows one way: config/system/db → cluster → topology → platform/backup/monitor/service → drill → cli.
/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment:
        'An import cycle makes load order matter and the layers meaningless: break it by moving the shared piece down.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'cluster-stays-low',
      severity: 'error',
      comment:
        'cluster/ runs PostgreSQL, Patroni and etcd; it must not know backups, the service, monitoring or anything above it (callers pass what it needs, e.g. a beforeStart hook).',
      from: { path: '^src/cluster/' },
      to: { path: '^src/(backup|service|monitor|platform|topology|drill|cli|kos|azure|k8s|lb)/' },
    },
    {
      name: 'topology-below-its-users',
      severity: 'error',
      comment:
        'The topology model answers "where is the database" for every command and the service: it imports none of them.',
      from: { path: '^src/topology/' },
      to: { path: '^src/(backup|service|monitor|platform|drill|cli|kos|azure|k8s|lb)/' },
    },
    {
      name: 'foundations-import-nothing-above',
      severity: 'error',
      comment: 'config, system and db are the ground floor.',
      from: { path: '^src/(config|system|db)/' },
      to: { path: '^src/(cluster|topology|platform|backup|monitor|service|drill|cli|kos|azure|k8s|lb)/' },
    },
    {
      name: 'only-cli-and-drills-compose-drills',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(drill|cli)/' },
      to: { path: '^src/drill/' },
    },
    {
      name: 'nothing-imports-the-cli',
      severity: 'error',
      comment: 'The CLI is the top: commands compose the layers, never the other way round.',
      from: { path: '^src/', pathNot: '^src/cli/' },
      to: { path: '^src/cli/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports count too: a cycle through types is still a cycle of concepts.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
