/**
 * End of community support of each PostgreSQL major (the final minor release
 * under the project's five-year policy, postgresql.org/support/versioning),
 * for the majors Flexible Server's API model accepts (KnownPostgresMajorVersion
 * of @azure/arm-postgresql-flexible 9.0.0 / API 2025-08-01: 11–18).
 */
export const COMMUNITY_END_OF_LIFE: Record<string, string> = {
  '11': '2023-11-09',
  '12': '2024-11-21',
  '13': '2025-11-13',
  '14': '2026-11-12',
  '15': '2027-11-11',
  '16': '2028-11-09',
  '17': '2029-11-08',
  '18': '2030-11-14',
};

/** Majors the API accepts that still get community fixes on `today`. */
export function supportedMajors(today: Date): string[] {
  return Object.entries(COMMUNITY_END_OF_LIFE)
    .filter(([, eol]) => new Date(`${eol}T23:59:59Z`) >= today)
    .map(([v]) => v);
}

/** What a user must hear about `version` on `today`: undefined while it is supported. */
export function versionWarning(version: string, today: Date): string | undefined {
  const eol = COMMUNITY_END_OF_LIFE[version];
  if (!eol || new Date(`${eol}T23:59:59Z`) >= today) return undefined;
  return (
    `PostgreSQL ${version} (the plan's version) reached the end of community support on ${eol}: ` +
    `no more fixes, security fixes included, and Azure bills such servers for extended support. ` +
    `Flexible Server offers ${supportedMajors(today).join(', ')} with community support: set azure.version to one of them ` +
    `(a new server; an existing one moves with an in-place major version upgrade).`
  );
}
