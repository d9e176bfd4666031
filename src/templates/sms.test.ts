import { test } from 'node:test';
import assert from 'node:assert/strict';
import { smsInfo } from './sms.js';

const info = (text: string) => {
  const i = smsInfo(text);
  return `${i.encoding} ${i.characters}/${i.segments}x${i.per_segment}`;
};

test('GSM-7: 160 characters fit one SMS, 161 need two parts of 153', () => {
  assert.equal(info('a'.repeat(160)), 'GSM-7 160/1x160');
  assert.equal(info('a'.repeat(161)), 'GSM-7 161/2x153');
  assert.equal(info('a'.repeat(306)), 'GSM-7 306/2x153');
  assert.equal(info('a'.repeat(307)), 'GSM-7 307/3x153');
  assert.equal(info(''), 'GSM-7 0/1x160');
});

test('the GSM-7 basic set stays GSM-7, Spanish accents outside it do not', () => {
  assert.equal(smsInfo('Señor Müller: ¿listo? ¡Ok! @£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤§¿äöñüà\r\n').encoding, 'GSM-7');
  // á, í, ó, ú are not in GSM 03.38 (only é is): one of them makes the text UCS-2.
  assert.equal(smsInfo('Hola María').encoding, 'UCS-2');
  assert.equal(smsInfo('Código: 123456').encoding, 'UCS-2');
  assert.equal(smsInfo('Saldo $ 1.234.567,89').encoding, 'GSM-7');
});

test('extension characters count two and a part never splits one', () => {
  assert.equal(info('€'), 'GSM-7 2/1x160');
  assert.equal(info('{}[]~|^\\€\f'), 'GSM-7 20/1x160');
  assert.equal(info('a'.repeat(158) + '€'), 'GSM-7 160/1x160');
  assert.equal(info('a'.repeat(159) + '€'), 'GSM-7 161/2x153');
  // 152 + € would be 154 in the first part: the € moves whole to the second, which is why the
  // count is 3 parts for 306 septets here, where 306 plain characters take 2.
  assert.equal(info('a'.repeat(152) + '€' + 'a'.repeat(152)), 'GSM-7 306/3x153');
  assert.equal(info('a'.repeat(151) + '€' + 'a'.repeat(153)), 'GSM-7 306/2x153');
});

test('UCS-2: 70 code units fit one SMS, 71 need two parts of 67', () => {
  assert.equal(info('á'.repeat(70)), 'UCS-2 70/1x70');
  assert.equal(info('á'.repeat(71)), 'UCS-2 71/2x67');
  assert.equal(info('á'.repeat(134)), 'UCS-2 134/2x67');
  assert.equal(info('á'.repeat(135)), 'UCS-2 135/3x67');
});

test('UCS-2 counts UTF-16 code units: an emoji is 2 and is never split between parts', () => {
  assert.equal(info('😀'), 'UCS-2 2/1x70');
  assert.equal(info('😀'.repeat(35)), 'UCS-2 70/1x70');
  assert.equal(info('a'.repeat(69) + '😀'), 'UCS-2 71/2x67');
  // 66 + an emoji would be 68 in part one: it goes whole to part two.
  assert.equal(info('a'.repeat(66) + '😀' + 'a'.repeat(66)), 'UCS-2 134/3x67');
  assert.equal(info('a'.repeat(65) + '😀' + 'a'.repeat(67)), 'UCS-2 134/2x67');
});
