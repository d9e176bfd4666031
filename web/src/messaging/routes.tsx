import type { NavItem } from '../ui/layout';
import type { Route } from '../ui/router';
import { ChannelsPage } from './channels-page';
import { MessagePage } from './message-page';
import { MessagesPage } from './messages-page';
import { PolicyPage } from './policy-page';
import { SandboxPage } from './sandbox-page';
import { SuppressionsPage } from './suppressions-page';
import { NewTemplatePage, TemplatePage } from './template-editor';
import { TemplatesPage } from './templates-page';

/** Messaging's entries in the console's navigation. */
export const MESSAGING_NAV: NavItem[] = [
  { to: '/templates', label: 'Templates', icon: '✎' },
  { to: '/messages', label: 'Messages', icon: '✉' },
  { to: '/channels', label: 'Channels', icon: '⇄' },
  { to: '/suppressions', label: 'Suppressions', icon: '⊘' },
  { to: '/settings/policy', label: 'Sending policy', icon: '◷' },
  { to: '/sandbox', label: 'Sandbox outbox', icon: '⚑' },
];

/** Messaging's pages; `/templates/new` comes before `/templates/:id` so "new" is not read as an id. */
export const MESSAGING_ROUTES: Route[] = [
  { path: '/channels', render: () => <ChannelsPage /> },
  { path: '/templates', render: () => <TemplatesPage /> },
  { path: '/templates/new', render: () => <NewTemplatePage /> },
  { path: '/templates/:id', render: (p) => <TemplatePage key={p.id} id={p.id ?? ''} /> },
  { path: '/messages', render: () => <MessagesPage /> },
  { path: '/messages/:id', render: (p) => <MessagePage key={p.id} id={p.id ?? ''} /> },
  { path: '/suppressions', render: () => <SuppressionsPage /> },
  { path: '/settings/policy', render: () => <PolicyPage /> },
  { path: '/sandbox', render: () => <SandboxPage /> },
];
