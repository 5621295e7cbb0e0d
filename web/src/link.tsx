// In-app links: a real <a href> (open in new tab works) whose plain clicks navigate through the history API.
// `to` must come from `paths` in routes.ts — never from event data.
import type { MouseEvent, ReactNode } from 'react';
import { navigate } from './router';

export function Link({ to, children, className, testId, title }: {
  to: string; children: ReactNode; className?: string; testId?: string; title?: string;
}) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={onClick} className={className} data-testid={testId} title={title}>{children}</a>;
}
