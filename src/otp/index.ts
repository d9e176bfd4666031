/**
 * OTP: one-time codes from the CSPRNG, kept as an HMAC (and sealed only while a later channel may
 * still need them), delivered through the messaging path with fallback across push, email, SMS
 * and voice, verified exactly once. See docs/otp.md.
 */
export { otpRoutes } from './routes.js';
export { OtpWorker } from './worker.js';
