/**
 * Every error code the CLI can exit with: what it means and what to do. The
 * one table: `BillInquiryError` accepts only these codes (a new code fails
 * `npm run typecheck` until it is documented here), and docs/errors.md is
 * checked against it by the unit tests. The message at the throw site names
 * the exact file, key or command; this table says what the code means in
 * general.
 */
export const ERROR_CODES = {
  // configuration and usage
  CONFIG_INVALID: [
    'the configuration fails validation',
    'fix the key named in the message (file, BILL_INQUIRY__* variable or flag)',
  ],
  CONFIG_MISSING: ['the --config file does not exist', 'check the path, or drop --config to use the defaults'],
  USAGE: ['a command was called without what it needs', 'see the example in the message and `--help`'],
  BAD_DATE: ['a date flag is not an ISO date', 'use e.g. 2027-01-15T00:00:00Z'],
  BAD_URL: ['a connection URL cannot be used', 'use postgres://USER:PASSWORD@HOST:PORT/postgres?sslmode=require'],
  TLS_REQUIRED: ['a connection would not be encrypted (plan §3.2)', 'use sslmode=require or verify-full'],
  USER_INVALID: ['a user id is empty', 'pass --user <id>'],
  LINE_INVALID: ['a phone line number is malformed', 'use the form 010-1234-5678'],

  // processes and the operating system
  EXEC_FAILED: ['an external program could not run or failed', 'install it, or read its output quoted in the message'],
  PIPE_FAILED: ['one program of a pipeline (dump | encrypt) failed', 'read its output quoted in the message'],
  OS_USER: ['the unprivileged OS user for PostgreSQL is missing', 'create it (useradd --system) or set cluster.osUser'],
  SECRET_MODE: ['a secret file is readable by others', 'chmod 600 the file named'],
  PORT_IN_USE: [
    'a loopback port is taken by another program',
    'free it or pick another port (flag or config key named)',
  ],

  // local PostgreSQL
  PG_BIN: ['PG_BIN names no PostgreSQL bin directory', 'point PG_BIN at a directory holding postgres, initdb, pg_ctl'],
  PG_MISSING: [
    'no PostgreSQL server binaries are available',
    'apt-get install postgresql, or npm ci for the embedded ones',
  ],
  NO_CLUSTER: ['there is no local cluster in the data dir', 'run `bill-inquiry cluster up`, or give --admin-url'],
  START_FAILED: ['the local PostgreSQL did not start', 'read the server log named in the message'],
  NO_BASEBACKUP: ['the PostgreSQL binaries lack pg_basebackup (replicas need it)', 'apt-get install postgresql'],
  NO_REPLICA: ['there is no local replica to act on', 'start one with `bill-inquiry cluster up --replica`'],
  TOPOLOGY_MISMATCH: [
    'the data dir (or config) runs another topology than the command asks for',
    'use the command of the topology named, or another --data-dir',
  ],
  NOT_LOCAL: [
    'the command needs servers on this machine, the database is external (service.database)',
    'run it where the database runs, or drop service.database',
  ],

  // HA topology (Patroni + etcd)
  NOT_HA: ['the command needs the HA topology', 'start it with `bill-inquiry cluster up --ha`'],
  HA_BINARIES: [
    'the PostgreSQL binaries lack pg_basebackup/pg_rewind (Patroni needs them)',
    'apt-get install postgresql',
  ],
  HA_DOWN: ['no Patroni REST API answers', 'start the topology with `bill-inquiry cluster up --ha`'],
  HA_TIMEOUT: ['the HA topology did not reach the awaited state in time', 'read the Patroni logs under <dataDir>/ha'],
  PATRONI_EXITED: ['a Patroni daemon exited during start', 'read its log named in the message'],
  ETCD_START: ['etcd did not become healthy', 'read <dataDir>/ha/etcd/etcd.log'],
  ETCD_DOWN: ['etcd is unreachable: Patroni cannot elect a leader', 'start etcd, or set ha.manageEtcd=true'],
  ETCD_DELETE: ['etcd refused to delete the cluster state', 'see the etcd log; etcdctl del --prefix <prefix>'],
  DATA_DIR_IN_USE: [
    "a node's data directory runs a PostgreSQL outside Patroni",
    'stop that server, or use another --data-dir',
  ],
  NO_PRIMARY: ['no primary right now (a failover is in progress?)', 'retry shortly; `bill-inquiry cluster status`'],
  NO_LEADER: ['the HA cluster has no leader', 'check `bill-inquiry cluster status`'],
  NO_CANDIDATE: ['no healthy standby can take over', 'check `bill-inquiry cluster status`'],
  UNKNOWN_MEMBER: ['no HA member has that name', 'use a name from ha.nodes'],
  NOFAILOVER: [
    'the member is the read replica (never a failover target)',
    'switch to the sync standby, or `cluster promote-replica`',
  ],
  SWITCHOVER_FAILED: ['Patroni refused the switchover', 'check `bill-inquiry cluster status`'],
  NO_READ_REPLICA: ['the HA topology has no async read replica', 'add a node with kind "async" to ha.nodes'],
  DRILL_NO_LEADER: ['the drill found no running leader to crash', 'check `bill-inquiry cluster status`'],
  CHAOS_UNSUPERVISED: [
    'the chaos drill would kill a single-node PostgreSQL nobody restarts',
    'stop it (`cluster down`) so the drill starts it through `serve`, which supervises it',
  ],
  HAPROXY_MISSING: ['haproxy is not installed', 'apt-get install haproxy'],
  HAPROXY_START: [
    'HAProxy did not start or never found a ready instance',
    'check its config with `haproxy -c -f FILE`',
  ],
  CHAOS_SERVE_START: ['the chaos drill could not start `serve`', 'run `bill-inquiry serve` on the data dir to see why'],

  // connecting to a database
  DB_UNREACHABLE: ['PostgreSQL cannot be reached', 'start it, or fix the host/port'],
  DB_AUTH: ['password authentication failed', 'check the password of the URL or secret named'],
  DB_REJECTED: ['pg_hba or the server rejected the user', 'check pg_hba.conf and that the user exists'],
  DB_MISSING: ['the database does not exist', 'run `bill-inquiry db apply` first'],
  DB_NO_TLS: ['the server does not offer TLS (plan §3.2)', 'enable ssl on the server'],
  DB_TLS: ['the TLS handshake failed', 'check the server certificate; add sslrootcert=… for a private CA'],
  DB_CONNECT: ['connecting failed for another reason', 'read the server message quoted'],

  // db plan/apply/verify
  ADMIN_URL_REQUIRED: [
    'the database is external: this tool has no superuser for it',
    'give --admin-url (several hosts: HOST1:PORT1,HOST2:PORT2) or BILL_INQUIRY_ADMIN_URL',
  ],
  APPLY_FAILED: ['a step of `db apply` failed', 'the admin connection needs superuser or CREATEDB+CREATEROLE'],
  LOCALE_MISSING: [
    'the OS locale of the plan (en_US.UTF-8) is not installed',
    'install it, or set database.localeFallback=icu',
  ],
  NO_ROLE_SECRET: [
    "a login role's password is not in the secret store",
    'run `db apply`, or set BILL_INQUIRY_SECRET_<ROLE>',
  ],

  // db bench (plan §13.2)
  PGBENCH_MISSING: ['pgbench is not installed', 'apt-get install postgresql-15 (Debian ships pgbench with the server)'],
  PGBENCH_FAILED: [
    'pgbench failed or printed no result',
    'read the pgbench message quoted; the scratch database was dropped',
  ],
  BENCH_SCRATCH: [
    'the scratch database of `db bench` cannot be created or dropped',
    'the admin connection needs CREATEDB; drop leftovers bill_inquiry_bench_* by hand',
  ],
  BENCH_INTERRUPTED: ['`db bench` was stopped by a signal (Ctrl-C)', 'the scratch database was dropped; run it again'],

  // backup and restore (pgBackRest, pg_dump)
  PGBACKREST_MISSING: ['pgBackRest is not installed', 'apt-get install pgbackrest'],
  PGBACKREST_FAILED: [
    'pgBackRest failed (its error code is in the message)',
    'read the pgBackRest log under <dataDir>/backup/log',
  ],
  BACKUP_PASSPHRASE: [
    'a backup cannot be decrypted with the configured passphrase',
    'put the right passphrase back into the secret store',
  ],
  BACKUP_REPO_MISSING: [
    'the backup repository or its stanza is missing',
    'check backup.repos; `bill-inquiry backup run` creates the stanza',
  ],
  BACKUP_LOCKED: ['another pgBackRest command holds the lock', 'wait for it to finish, then retry'],
  BACKUP_DB_CONNECT: [
    'pgBackRest cannot connect to PostgreSQL',
    'is the cluster running? `bill-inquiry cluster status`',
  ],
  ARCHIVE_TIMEOUT: [
    'WAL did not reach the repository in time',
    'check archive_command and `bill-inquiry backup verify`',
  ],
  REPO_CREDENTIALS_MISSING: [
    "an object-store repository's key is not set",
    'put it into the secret store or the environment',
  ],
  REPO_CREDENTIALS_REJECTED: [
    "the object store rejected the repository's key",
    'put the right key into the secret store',
  ],
  AZURE_CONTAINER_MISSING: [
    'the Azure container of a repository does not exist',
    'az storage container create …, then retry',
  ],
  NO_SUCH_REPO: ['the --repo number is not configured', 'choose 1..N of backup.repos'],
  NO_BACKUP: ['the repository holds no usable backup', 'run `bill-inquiry backup run --type full`'],
  BAD_TARGET: ['the restore target cannot be parsed', 'a timestamp with time zone, an LSN, or "latest"'],
  TARGET_BEFORE_OLDEST_BACKUP: [
    'the restore target is older than every backup',
    'choose a later target (retention is 35 days)',
  ],
  TARGET_DIR_IN_USE: ['the restore directory already holds a cluster', 'restore into a new, empty --into directory'],
  RESTORE_START_FAILED: ['the restored cluster did not start', 'read its log named in the message'],
  RESTORE_RECOVERY_FAILED: ['recovery of the restored cluster failed', 'read the hint and the log quoted'],
  RESTORE_NOT_PROMOTED: ['the restored cluster stayed in recovery', 'read its log named in the message'],
  SWITCH_MOVE: ['the restored data cannot be moved into place', 'restore --into a directory on the same file system'],
  DUMP_MISSING: ['the logical dump file does not exist', 'list them under <dataDir>/backup/logical'],
  BAD_DATABASE: ['the database name is not plain', 'use lower-case letters, digits and _'],
  DATABASE_EXISTS: ['the database to restore into cannot be created', 'restore into a new database name'],

  // service
  WORKER_FAILED: ['a service worker of `serve --workers` did not start', 'read its error quoted in the message'],
  KOS_URL_MISSING: ['the service has no KOS to call', 'set service.kosUrl or --kos-url, or let `serve` start the mock'],
  JWT_KEY_MISSING: ['the token verification key is not configured', 'set the key named in the message'],
  JWT_KEY_WEAK: [
    'the phonebill HS512 token key is shorter than 64 bytes',
    "set JWT_SECRET to the phonebill Auth service's secret",
  ],
  CIPHERTEXT_INVALID: ['an encrypted column holds something else', 'was it written by another tool?'],
  KEY_ID_INVALID: ['a column key id is malformed', 'the value was not written by this service'],
  KEY_MISSING: ['a column-encryption key is missing', 'restore the key file named into the secret store'],
  KEY_INVALID: ['a column-encryption key is not 32 bytes', 'restore the original key file'],
  ROTATE_DECRYPT: ['`keys rotate` met a value it cannot decrypt', 'restore the missing key, then rotate again'],
  REPLAY_DB: ['`history replay` lost the database', 'make the primary reachable, then replay again'],
  ENTRA_TOKEN: [
    'service.database.auth=entra, but no Microsoft Entra token could be had',
    'give the service its managed identity (entra.clientId), or az login',
  ],

  // monitoring
  MONITOR_CONNECT: ['the monitor cannot connect to a member', 'is it up? `db apply` grants the monitoring role'],
  MONITOR_NO_ROLE: [
    "the monitoring role's password is not in the secret store",
    'run `bill-inquiry db apply`, or monitor.connectAs=superuser',
  ],
  MONITOR_LISTEN: ['`monitor serve` cannot listen', 'pick another --port'],
  WEBHOOK_FAILED: ['the alert webhook is unreachable or refused', 'check the URL and the receiver'],

  // Azure (azure template / deploy / sql)
  AZ_MISSING: [
    'the az CLI is not installed or does not answer',
    'install it (https://aka.ms/azcli; Debian: apt-get install azure-cli)',
  ],
  AZ_TOO_OLD: ['the az CLI is older than azure.minAzVersion', 'upgrade it (`az upgrade` or the package manager)'],
  AZ_LOGIN: ['az is not signed in to Azure', 'run `az login`, and `az account set --subscription <id>`'],
  AZURE_INPUT_MISSING: [
    'a value only your Azure tenant knows is not configured',
    'set the config key named in the message',
  ],
  AZURE_PREREQUISITE: [
    'a plan §12.2 prerequisite (resource group, VNet) does not exist',
    'create it, or fix azure.resourceGroup / azure.vnetName',
  ],
  AZ_DEPLOY_FAILED: [
    'Azure refused or failed the deployment',
    'read the az message quoted; fix it and rerun `azure deploy --yes`',
  ],

  // issue 19: phonebill's environment profile, shared column keys, verified database certificates
  ENV_INVALID: [
    'a variable of the phonebill environment profile does not parse, or BILL_INQUIRY_ENV_PROFILE names no known profile',
    'fix the variable named in the message (README "phonebill environment profile")',
  ],
  DB_LOGIN_PASSWORD_MISSING: [
    'the one database login (service.database.login, DB_USERNAME) has no password in its variable',
    'set DB_PASSWORD (or the variable service.database.login.passwordEnv names)',
  ],
  KEYS_MISSING: [
    'no column-encryption key, and on the external topology none is generated per process',
    '`bill-inquiry keys new --out-dir DIR`, then mount DIR (a Kubernetes Secret) on every replica as service.encryption.keysDir',
  ],
  KEYS_EXIST: [
    '`keys new --out-dir` found keys there and was not asked to add one',
    'add --rotate to add a key and make it current',
  ],
  SCHEMA_MISSING: [
    'the external database has no Bill-Inquiry schema',
    'run `bill-inquiry db apply --admin-url …` (or the image migration job) first: `serve` never installs an external database',
  ],
  DB_CERT_UNTRUSTED: [
    "the database's TLS certificate does not chain to a trusted CA or does not name the host",
    'set service.database.caFile to the CA that signed it (or NODE_EXTRA_CA_CERTS); test setups only: service.database.allowUnverifiedTls=true',
  ],

  // anything not raised by this tool itself (a bug, or a library's own error)
  INTERNAL: ['an unexpected error', 'rerun with --verbose and report the cause chain'],
} as const satisfies Record<string, readonly [meaning: string, action: string]>;

export type ErrorCode = keyof typeof ERROR_CODES;
