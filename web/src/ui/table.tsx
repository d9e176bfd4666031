import type { ReactNode } from 'react';

export interface Column<T> {
  key: string;
  header: ReactNode;
  cell: (row: T) => ReactNode;
  /** Makes the header a sort button; `sorted` shows the current direction. */
  sortable?: boolean;
  className?: string;
}

export interface SortState {
  field: string;
  direction: 'asc' | 'desc';
}

/** A plain data table; sorting is the caller's (the server sorts), the table only asks. */
export function Table<T>({ columns, rows, rowKey, rowTestId, onRowClick, sort, onSort, empty, className }: {
  columns: Column<T>[];
  rows: T[];
  rowKey: (row: T) => string;
  rowTestId?: string;
  onRowClick?: (row: T) => void;
  sort?: SortState;
  onSort?: (field: string) => void;
  empty?: ReactNode;
  className?: string;
}) {
  return (
    <div className="table-wrap">
      <table className={`table ${className ?? ''}`}>
        <thead>
          <tr>
            {columns.map((c) => {
              const dir = sort?.field === c.key ? sort.direction : undefined;
              return (
                <th key={c.key} className={c.className} aria-sort={dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : undefined}>
                  {c.sortable && onSort ? (
                    <button type="button" className="th-sort" onClick={() => onSort(c.key)} data-testid={`sort-${c.key}`}>
                      {c.header}
                      <span className="sort-arrow" aria-hidden>{dir === 'asc' ? '▲' : dir === 'desc' ? '▼' : '↕'}</span>
                    </button>
                  ) : (
                    c.header
                  )}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={rowKey(row)} data-testid={rowTestId} className={onRowClick ? 'clickable' : undefined} onClick={onRowClick ? () => onRowClick(row) : undefined}>
              {columns.map((c) => (
                <td key={c.key} className={c.className}>{c.cell(row)}</td>
              ))}
            </tr>
          ))}
          {rows.length === 0 && empty && (
            <tr>
              <td colSpan={columns.length} className="table-empty">{empty}</td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}
