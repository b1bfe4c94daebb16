import type { InquiryStatus } from '../history/types.js';

/** The statuses of phonebill's API design. */
export const API_STATUSES = ['COMPLETED', 'PROCESSING', 'FAILED'] as const;
export type ApiStatus = (typeof API_STATUSES)[number];

/** A stored TIMEOUT is a failure to the caller (answered FAILED, with its message). */
export const apiStatus = (s: InquiryStatus): ApiStatus => (s === 'TIMEOUT' ? 'FAILED' : s);
