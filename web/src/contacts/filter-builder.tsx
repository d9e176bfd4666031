import { Button, Select } from '../ui/controls';
import { FilterValueInput } from './filter-value-input';
import { emptyGroup, newCondition, opLabel, opsFor, type ConditionNode, type FilterNode, type GroupNode } from './filter-model';
import type { FieldDef } from './types';

/** Replaces the node with `id` anywhere in the tree by `fn(node)`; `null` removes it. */
function mapTree(node: GroupNode, id: string, fn: (n: FilterNode) => FilterNode | null): GroupNode {
  const children: FilterNode[] = [];
  for (const child of node.children) {
    const next = child.id === id ? fn(child) : child.kind === 'group' ? mapTree(child, id, fn) : child;
    if (next) children.push(next);
  }
  return { ...node, children };
}

/**
 * Rows of field / operator / value in AND/OR groups (groups nest, and a group can be negated).
 * Controlled: the caller holds the GroupNode and turns it into an API filter with toFilter().
 */
export function FilterBuilder({ fields, value, onChange }: { fields: FieldDef[]; value: GroupNode; onChange: (g: GroupNode) => void }) {
  const update = (id: string, fn: (n: FilterNode) => FilterNode | null) =>
    onChange(id === value.id ? (fn(value) as GroupNode) : mapTree(value, id, fn));
  return (
    <div className="filter-builder" data-testid="filter-builder">
      <GroupView group={value} fields={fields} update={update} root />
    </div>
  );
}

type Update = (id: string, fn: (n: FilterNode) => FilterNode | null) => void;

function GroupView({ group, fields, update, root }: { group: GroupNode; fields: FieldDef[]; update: Update; root?: boolean }) {
  const setGroup = (patch: Partial<GroupNode>) => update(group.id, (n) => ({ ...(n as GroupNode), ...patch }));
  const add = (child: FilterNode) => setGroup({ children: [...group.children, child] });
  return (
    <div className={`filter-group ${root ? 'filter-group-root' : ''}`} data-testid="filter-group">
      <div className="filter-group-head">
        <label className="checkbox">
          <input type="checkbox" checked={group.negate} onChange={(e) => setGroup({ negate: e.target.checked })} data-testid="filter-negate" />
          Not
        </label>
        <span className="muted">Match</span>
        <div className="segmented" role="radiogroup" aria-label="Combine conditions with">
          {(['and', 'or'] as const).map((c) => (
            <button
              key={c} type="button" role="radio" aria-checked={group.combinator === c}
              className={group.combinator === c ? 'active' : ''} onClick={() => setGroup({ combinator: c })} data-testid={`filter-combinator-${c}`}
            >
              {c === 'and' ? 'all (AND)' : 'any (OR)'}
            </button>
          ))}
        </div>
        <span className="muted">of these conditions</span>
        {!root && (
          <Button variant="ghost" className="filter-remove" onClick={() => update(group.id, () => null)} aria-label="Remove group">✕</Button>
        )}
      </div>
      <div className="filter-children">
        {group.children.length === 0 && <p className="muted filter-empty">No conditions: every contact matches.</p>}
        {group.children.map((child) =>
          child.kind === 'group' ? (
            <GroupView key={child.id} group={child} fields={fields} update={update} />
          ) : (
            <ConditionRow key={child.id} cond={child} fields={fields} update={update} />
          ),
        )}
      </div>
      <div className="filter-group-actions">
        <Button variant="ghost" onClick={() => add(newCondition(fields[0]))} data-testid="filter-add-condition">+ Condition</Button>
        <Button variant="ghost" onClick={() => add({ ...emptyGroup(), combinator: group.combinator === 'and' ? 'or' : 'and', children: [newCondition(fields[0])] })} data-testid="filter-add-group">
          + Group
        </Button>
      </div>
    </div>
  );
}

function ConditionRow({ cond, fields, update }: { cond: ConditionNode; fields: FieldDef[]; update: Update }) {
  const field = fields.find((f) => f.key === cond.field);
  const ops = opsFor(field?.type);
  const set = (patch: Partial<ConditionNode>) => update(cond.id, (n) => ({ ...(n as ConditionNode), ...patch }));

  const changeField = (key: string) => {
    const next = fields.find((f) => f.key === key);
    const nextOps = opsFor(next?.type);
    // A value typed for one type rarely means anything for another: start the value afresh.
    const typeChanged = next?.type !== field?.type;
    set({ field: key, op: nextOps.includes(cond.op) ? cond.op : (nextOps[0] ?? 'eq'), ...(typeChanged ? { value: '', value2: '', values: [] } : {}) });
  };

  return (
    <div className="filter-row" data-testid="filter-row">
      <Select
        options={fields.map((f) => ({ value: f.key, label: f.label || f.key }))} value={cond.field}
        onChange={(e) => changeField(e.target.value)} aria-label="Field" data-testid="filter-field"
      />
      <Select
        options={ops.map((o) => ({ value: o, label: opLabel(o, field?.type) }))} value={cond.op}
        onChange={(e) => set({ op: e.target.value as ConditionNode['op'] })} aria-label="Operator" data-testid="filter-op"
      />
      <FilterValueInput cond={cond} field={field} onChange={set} />
      <Button variant="ghost" className="filter-remove" onClick={() => update(cond.id, () => null)} aria-label="Remove condition" data-testid="filter-remove">✕</Button>
    </div>
  );
}
