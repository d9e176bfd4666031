/** The policy gate: consent, suppressions, frequency caps, quiet hours and holidays (DESIGN.md, "The path of a message"). */
export {
  decidePolicy, policyTimeZone,
  type PolicyInput, type PolicyDecision, type PolicyContact, type SuppressionHit, type SuppressReason,
} from './decide.js';
export { checkPolicy, loadAccountPolicy, countMarketingSent, contactForPolicy, policyReasonText, type CheckPolicyArgs } from './check.js';
export { capWindowStarts, reachedCap, type CapWindowStarts, type SentCounts, type FrequencyCaps } from './caps.js';
export { sendingTime, SEARCH_DAYS, type SendingTime } from './schedule.js';
export { isPublicHoliday } from './holidays.js';
