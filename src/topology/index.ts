/**
 * The topology model: the one place that knows where the primary, the read
 * replica, the admin connection and the members are — for every command and
 * the service. Built once per command from the data dir and config
 * (`openTopology`); see types.ts for the API.
 */
export type * from './types.js';
export { openTopology, topologyKind } from './open.js';
export { adminTarget } from './admin.js';
export { ADMIN_URL_ENV, parseAdminUrl } from './adminUrl.js';
export { staticLocator, PatroniLocator, MultiHostLocator } from './locators.js';
