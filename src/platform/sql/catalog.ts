/** Catalog queries of the installer and checker (read-only, parameterized). */

export const SERVER_VERSION = `SELECT current_setting('server_version_num')::int AS version, current_setting('is_superuser') = 'on' AS superuser`;

/** Locale columns moved across versions: provider from PG15, daticulocale renamed datlocale in PG17. */
export const databaseInfo = (version: number): string => `
SELECT d.datname, pg_encoding_to_char(d.encoding) AS encoding, d.datcollate, d.datctype,
       ${version >= 150000 ? 'd.datlocprovider::text' : `'c'`} AS provider,
       ${version >= 170000 ? 'd.datlocale' : version >= 150000 ? 'd.daticulocale' : 'NULL::text'} AS icu_locale
FROM pg_database d WHERE d.datname = $1`;

export const DATABASE_SETTINGS = `
SELECT unnest(s.setconfig) AS setting
FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase
WHERE d.datname = $1 AND s.setrole = 0`;

const grantee = `CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END`;

export const DATABASE_ACL = `
SELECT ${grantee} AS grantee, a.privilege_type AS privilege
FROM pg_database d, aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a
WHERE d.datname = $1 AND a.grantee <> d.datdba`;

export const SCHEMA_ACL = `
SELECT ${grantee} AS grantee, a.privilege_type AS privilege
FROM pg_namespace n, aclexplode(coalesce(n.nspacl, acldefault('n', n.nspowner))) a
WHERE n.nspname = $1 AND a.grantee <> n.nspowner`;

/** Tables, views and sequences of a schema that belong to us (extension members excluded), one row per ACL entry or a null row. */
export const RELATION_ACLS = `
SELECT c.relname, c.relkind::text AS relkind, pg_get_userbyid(c.relowner) AS owner,
       ${grantee} AS grantee, a.privilege_type AS privilege
FROM pg_class c
JOIN pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN LATERAL aclexplode(coalesce(c.relacl, acldefault(CASE WHEN c.relkind = 'S' THEN 's' ELSE 'r' END::"char", c.relowner))) a
       ON a.grantee <> c.relowner
WHERE n.nspname = $1 AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
  AND NOT EXISTS (SELECT 1 FROM pg_depend dep WHERE dep.classid = 'pg_class'::regclass AND dep.objid = c.oid AND dep.deptype = 'e')
ORDER BY c.relname`;

export const DEFAULT_ACL = `
SELECT d.defaclobjtype::text AS objtype, ${grantee} AS grantee, a.privilege_type AS privilege
FROM pg_default_acl d, aclexplode(d.defaclacl) a
WHERE d.defaclrole = (SELECT oid FROM pg_roles WHERE rolname = $1)
  AND d.defaclnamespace = (SELECT oid FROM pg_namespace WHERE nspname = $2)`;

export const ROLES = `
SELECT r.rolname, r.rolcanlogin, r.rolsuper, r.rolcreatedb, r.rolcreaterole, r.rolreplication, r.rolbypassrls,
       ARRAY(SELECT g.rolname::text FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid WHERE m.member = r.oid ORDER BY 1) AS member_of
FROM pg_roles r WHERE r.rolname = ANY($1::text[])`;

/** Needs superuser; on managed servers (Azure) the caller falls back to a login attempt. */
export const ROLE_VERIFIERS = `SELECT rolname, rolpassword FROM pg_authid WHERE rolname = ANY($1::text[])`;

export const IS_MEMBER = `SELECT pg_has_role(current_user, $1, 'MEMBER') AS member`;

export const EXTENSIONS = `SELECT extname, extversion FROM pg_extension`;

export const RELATION_EXISTS = `SELECT to_regclass($1) IS NOT NULL AS exists`;

export const SYSTEM_CONFIG_KEYS = `SELECT config_key FROM system_config`;

export const SEED_SYSTEM_CONFIG = `
INSERT INTO system_config (config_key, config_value, config_type, description)
SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
ON CONFLICT (config_key) DO NOTHING
RETURNING config_key`;

/** A row of ROLES. */
export interface RoleRow {
  rolname: string;
  rolcanlogin: boolean;
  rolsuper: boolean;
  rolcreatedb: boolean;
  rolcreaterole: boolean;
  rolreplication: boolean;
  rolbypassrls: boolean;
  member_of: string[];
}

/** The comment of each table ($1) and of each of its columns (column_name null = the table itself). */
export const COLUMN_COMMENTS = `
SELECT c.relname AS table_name, NULL::text AS column_name, obj_description(c.oid, 'pg_class') AS comment
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relname = ANY($1::text[])
UNION ALL
SELECT c.relname, a.attname::text, col_description(c.oid, a.attnum)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE n.nspname = 'public' AND c.relname = ANY($1::text[])`;

export const COLUMN_DEFAULTS = `
SELECT table_name, column_name, column_default AS def FROM information_schema.columns WHERE table_schema = 'public'`;
