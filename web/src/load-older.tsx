// The foot of a cursor-paged table: "Load older" while there is more, and the error of a failed page.
import type { ReactNode } from 'react';
import type { PagedList } from './use-paged-list';

export function LoadOlder({ list, children }: { list: Pick<PagedList<unknown>, 'next' | 'loadingMore' | 'moreError' | 'loadMore'>; children?: ReactNode }) {
  return (
    <div className="list-foot">
      {children}
      {list.next && <button type="button" onClick={list.loadMore} disabled={list.loadingMore}>{list.loadingMore ? 'Loading…' : 'Load older'}</button>}
      {list.moreError && <span className="error-inline">{list.moreError.code}: {list.moreError.message}</span>}
    </div>
  );
}
