import { lazy, Suspense } from 'react';
import { Spinner } from '../ui/controls';
import type { NavItem } from '../ui/layout';
import type { Route } from '../ui/router';
import { FlowsPage } from './flows-page';
import { NewFlowPage } from './new-flow-page';

// The designer brings React Flow (a third of the console's code): load it when a flow is opened.
const FlowDesignerPage = lazy(async () => ({ default: (await import('./designer-page')).FlowDesignerPage }));

/** The Conversation Manager's entry in the console's navigation. */
export const FLOWS_NAV: NavItem[] = [{ to: '/flows', label: 'Flows', icon: '⤳' }];

/** Its pages; `/flows/new` comes before `/flows/:id` so "new" is not read as an id. */
export const FLOWS_ROUTES: Route[] = [
  { path: '/flows', render: () => <FlowsPage /> },
  { path: '/flows/new', render: () => <NewFlowPage /> },
  {
    path: '/flows/:id',
    render: (p) => (
      <Suspense fallback={<Spinner label="Loading the designer…" />}>
        <FlowDesignerPage key={p.id} id={p.id ?? ''} />
      </Suspense>
    ),
  },
];
