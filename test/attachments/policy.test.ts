import { expect, test } from 'vitest';
import { checkAttachment } from '../../src/attachments/policy.ts';
import { userTextIn } from '../../src/user-text.ts';

const userText = userTextIn('en');

const MB = 1024 * 1024;
const kindOf = (name: string, contentType?: string, size = 1000) => {
  const verdict = checkAttachment({ ref: name, name, contentType, size }, 20 * MB);
  return verdict.ok ? verdict.kind : userText.attachmentReason(verdict.reason);
};

test('images and videos go as media, PDFs and text files as documents', () => {
  expect(kindOf('cat.png', 'image/png')).toBe('media');
  expect(kindOf('clip.mp4', 'video/mp4')).toBe('media');
  expect(kindOf('report.pdf', 'application/pdf')).toBe('pdf');
  expect(kindOf('notes.txt', 'text/plain; charset=utf-8')).toBe('text');
  expect(kindOf('data.json', 'application/json')).toBe('text');
  expect(kindOf('config.yaml', 'application/yaml')).toBe('text');
  expect(kindOf('table.csv', 'text/csv')).toBe('text');
});

test('source code is known by its extension, whatever type the platform guessed', () => {
  expect(kindOf('main.py', undefined)).toBe('text');
  expect(kindOf('main.go', 'application/octet-stream')).toBe('text');
  // Discord reports TypeScript files as MPEG transport streams.
  expect(kindOf('index.ts', 'video/mp2t')).toBe('text');
  expect(kindOf('Dockerfile', undefined)).toBe('text');
  expect(kindOf('scan.PDF', undefined)).toBe('pdf');
});

test('an archive is refused with its type named; a large video or PDF with the limit', () => {
  expect(kindOf('photos.zip', 'application/zip')).toBe(userText.attachmentUnsupported('application/zip'));
  expect(kindOf('big.pdf', 'application/pdf', 25 * MB)).toBe(userText.attachmentTooLarge(20));
  expect(kindOf('big.mp4', 'video/mp4', 25 * MB)).toBe(userText.attachmentTooLarge(20));
  // Only a text file's beginning is read, so its size is no reason to refuse it.
  expect(kindOf('huge.log', 'text/plain', 25 * MB)).toBe('text');
});
