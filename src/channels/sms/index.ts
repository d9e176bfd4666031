export { smppProvider, createSmppProvider, handleDeliverSm, SmppConfigSchema, type SmppConfig, type SmppTimings } from './smpp.js';
export { httpSmsProvider, createHttpSmsProvider, HttpSmsConfigSchema, type HttpSmsConfig } from './http-sms.js';
export { smsHookRoutes, type SmsHookOptions } from './hook-routes.js';
export { hookToken, hookUrl } from './hook-token.js';
export { encodeSms, splitSms, isGsm7, type SmsPart } from './encoding.js';
export { registerConversaTlv, CONVERSA_MESSAGE_ID_TLV } from './smpp-tlv.js';
