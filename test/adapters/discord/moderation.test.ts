/** The Discord moderation rule: the asker, or Manage Messages; channel settings need Manage Channels. */
import { PermissionFlagsBits, PermissionsBitField } from 'discord.js';
import { expect, test } from 'vitest';
import { mayActOnAnswer, mayChangeChannelSettings } from '../../../adapters/discord/moderation.ts';

const member = (...flags: bigint[]) => new PermissionsBitField(flags);

test('an answer is for its asker and for members with Manage Messages; Manage Channels alone is not enough', () => {
  expect(mayActOnAnswer({ userId: 'alice', permissions: member() }, 'alice')).toBe(true);
  expect(mayActOnAnswer({ userId: 'bob', permissions: member() }, 'alice')).toBe(false);
  expect(mayActOnAnswer({ userId: 'mod', permissions: member(PermissionFlagsBits.ManageChannels) }, 'alice')).toBe(false);
  expect(mayActOnAnswer({ userId: 'mod', permissions: member(PermissionFlagsBits.ManageMessages) }, 'alice')).toBe(true);
  expect(mayActOnAnswer({ userId: 'admin', permissions: member(PermissionFlagsBits.Administrator) }, 'alice')).toBe(true);
  // An older Stop button names no asker: moderators only. In DMs there are no permissions.
  expect(mayActOnAnswer({ userId: 'alice', permissions: member() }, undefined)).toBe(false);
  expect(mayActOnAnswer({ userId: 'alice', permissions: null }, 'alice')).toBe(true);
});

test('a channel-wide setting needs Manage Channels unless the operator allows everyone', () => {
  expect(mayChangeChannelSettings({ userId: 'bob', permissions: member() }, 'ManageChannels')).toBe(false);
  expect(mayChangeChannelSettings({ userId: 'mod', permissions: member(PermissionFlagsBits.ManageChannels) }, 'ManageChannels')).toBe(true);
  expect(mayChangeChannelSettings({ userId: 'bob', permissions: member() }, 'everyone')).toBe(true);
});
